package io.mailgate.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OAuthErrorAckTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(Mechanism.OAUTHBEARER, List.of("AQ=="), false, true),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("AQ=="), true, true),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("AQ==junk"), false, true),
        Arguments.of(Mechanism.OAUTHBEARER, List.of(""), false, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of(""), true, true),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("AQ="), false, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("aq=="), false, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("*"), true, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("foo"), true, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("AQ==", "AQ=="), false, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of("", ""), true, false),
        Arguments.of(Mechanism.OAUTHBEARER, List.of(), true, false),
        Arguments.of(Mechanism.XOAUTH2, List.of(""), false, true),
        Arguments.of(Mechanism.XOAUTH2, List.of(""), true, true),
        Arguments.of(Mechanism.XOAUTH2, List.of("AQ=="), false, false),
        Arguments.of(Mechanism.XOAUTH2, List.of("AQ=="), true, false),
        Arguments.of(Mechanism.XOAUTH2, List.of("*"), false, false),
        Arguments.of(Mechanism.XOAUTH2, List.of("", ""), false, false),
        Arguments.of(Mechanism.XOAUTH2, List.of(), false, false),
        Arguments.of(Mechanism.PLAIN, List.of(""), true, false),
        Arguments.of(Mechanism.LOGIN, List.of("AQ=="), true, false));
  }

  @ParameterizedTest(name = "[{index}] {0} {1} compat={2} -> {3}")
  @MethodSource("cases")
  void acceptsOnlyTheMechanismsDummyResponse(Mechanism mechanism, List<String> args, boolean compat, boolean expected) {
    assertThat(OAuthErrorAck.accepts(mechanism, args, compat)).isEqualTo(expected);
  }
}
