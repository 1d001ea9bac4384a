package io.mailgate.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

/**
 * The cases of one setup: for each client, each listener whose protocol it speaks, each mechanism both support, the
 * main scenario (read or send) and the failure that fits the mechanism (a wrong password, or an expired token). Each
 * case records its result for {@link MatrixTable}, then passes, fails or is skipped as a JUnit test.
 */
final class InteropMatrix {

  /** How much of a server log goes into a failure message. */
  private static final int LOG_TAIL = 6000;

  private InteropMatrix() {}

  /** The dynamic tests of {@code setup}: one container per client. */
  static Stream<DynamicNode> cases(Setup setup, List<MailClient> clients) throws Exception {
    MatrixResults.version(setup.name(), setup.versions());
    List<DynamicNode> nodes = new ArrayList<>();
    for (MailClient client : clients) {
      MatrixResults.version(client.name(), client.missing().map(m -> "missing: " + m).orElseGet(() -> {
        try {
          return client.version();
        } catch (Exception e) {
          return "version unknown: " + e.getMessage();
        }
      }));
      List<DynamicTest> tests = casesOf(setup, client);
      if (!tests.isEmpty()) {
        nodes.add(DynamicContainer.dynamicContainer(client.name(), tests));
      }
    }
    return nodes.stream();
  }

  private static List<DynamicTest> casesOf(Setup setup, MailClient client) {
    List<DynamicTest> tests = new ArrayList<>();
    for (Endpoint endpoint : setup.endpoints()) {
      Set<Mechanism> spoken = client.mechanisms(endpoint.protocol());
      if (spoken.isEmpty()) {
        continue;
      }
      Set<Mechanism> both = EnumSet.noneOf(Mechanism.class);
      both.addAll(spoken);
      both.retainAll(endpoint.mechanisms());
      Transport transport = client.transport(endpoint.listener());
      for (Mechanism mechanism : both) {
        for (Scenario scenario : scenarios(endpoint.protocol(), mechanism)) {
          Case c = new Case(setup, client, endpoint, transport, mechanism, scenario);
          tests.add(DynamicTest.dynamicTest(c.row().endpoint() + " " + mechanism.saslName() + " "
              + scenario.label(), c::run));
        }
      }
    }
    return tests;
  }

  private static List<Scenario> scenarios(Protocol protocol, Mechanism mechanism) {
    List<Scenario> list = new ArrayList<>(List.of(protocol.reads() ? Scenario.READ : Scenario.SEND));
    if (mechanism.bearer()) {
      list.add(Scenario.EXPIRED_TOKEN);
    } else if (mechanism.authenticates()) {
      list.add(Scenario.WRONG_PASSWORD);
    }
    return list;
  }

  /** One case of the matrix. */
  private record Case(Setup setup, MailClient client, Endpoint endpoint, Transport transport, Mechanism mechanism,
      Scenario scenario) {

    MatrixResults.Row row() {
      return new MatrixResults.Row(client.name(), setup.name(), endpoint.label() + transport.suffix(),
          mechanism.saslName(), scenario.label());
    }

    void run() throws Exception {
      MatrixResults.Row row = row();
      try {
        Optional<String> missing = client.missing();
        if (missing.isPresent()) {
          if ("true".equals(System.getenv("CI"))) {
            fail(missing.get() + ": .ci/run installs it, so CI must not skip it");
          }
          Assumptions.abort(missing.get());
        }
        client.skipped(endpoint.protocol(), mechanism, scenario).ifPresent(Assumptions::abort);
        execute();
        MatrixResults.record(row, MatrixResults.Status.PASS, "");
      } catch (TestAbortedException e) {
        MatrixResults.record(row, MatrixResults.Status.SKIP, e.getMessage());
        throw e;
      } catch (Exception | AssertionError e) {
        MatrixResults.record(row, MatrixResults.Status.FAIL, e.getMessage());
        throw e;
      }
    }

    private void execute() throws Exception {
      Account account = setup.account();
      String secret = switch (scenario) {
        case WRONG_PASSWORD -> Account.WRONG_PASSWORD;
        case EXPIRED_TOKEN -> account.expiredToken();
        default -> mechanism.bearer() ? account.token() : account.password();
      };
      Attempt attempt = new Attempt(endpoint, transport, mechanism, account.user(), secret);
      if (scenario == Scenario.SEND) {
        byte[] message = InteropMessages.unique(client.name() + "-" + setup.name() + "-" + mechanism.saslName());
        Outcome outcome = client.send(attempt, account.user(), account.user(), message);
        assertLoggedIn(outcome);
        assertThat(outcome.sent()).as(() -> explain("the server accepted the message", outcome)).isTrue();
        String delivered = new String(setup.awaitDelivery(InteropMessages.messageId(message)), StandardCharsets.UTF_8);
        // Postfix's virtual(8) prepends Return-Path, Delivered-To and Received and stores LF line ends.
        assertThat(delivered).as(() -> explain("the delivered message ends with the bytes sent", outcome))
            .endsWith(new String(message, StandardCharsets.UTF_8).replace("\r\n", "\n"));
        setup.checkLoggedIn(attempt);
        return;
      }
      if (scenario == Scenario.READ) {
        Outcome outcome = client.read(attempt);
        assertLoggedIn(outcome);
        byte[] stored = setup.storedMessage();
        String listed = endpoint.protocol() == Protocol.IMAP ? "INBOX" : "1 " + stored.length;
        assertThat(outcome.listing()).as(() -> explain("the listing", outcome)).contains(listed);
        assertThat(outcome.fetched()).as(() -> explain("message 1, byte for byte", outcome)).isEqualTo(stored);
        setup.checkLoggedIn(attempt);
        return;
      }
      Outcome outcome = endpoint.protocol().reads() ? client.read(attempt)
          : client.send(attempt, account.user(), account.user(), InteropMessages.unique("refused"));
      assertThat(outcome.loggedIn()).as(() -> explain("the login is refused", outcome)).isFalse();
      assertThat(outcome.fetched()).as(() -> explain("nothing is fetched", outcome)).isNull();
      assertThat(outcome.sent()).as(() -> explain("nothing is sent", outcome)).isFalse();
      if (scenario == Scenario.EXPIRED_TOKEN && client.showsErrorChallenge(mechanism)) {
        // RFC 7628 §3.2.2: the failure is an error challenge with a JSON status before the final refusal.
        assertThat(outcome.errorChallenge()).as(() -> explain("the RFC 7628 error challenge", outcome))
            .hasValueSatisfying(json -> assertThat(json).contains("\"status\":\"invalid_token\""));
      }
    }

    private void assertLoggedIn(Outcome outcome) {
      assertThat(outcome.loggedIn()).as(() -> explain("the login succeeds", outcome)).isTrue();
    }

    private String explain(String what, Outcome outcome) {
      String logs = setup.logs();
      return what + " (" + client.name() + " on " + setup.name() + " " + endpoint.label() + transport.suffix() + " "
          + mechanism.saslName() + ")\n--- client:\n" + outcome.transcript() + "\n--- servers:\n"
          + (logs.length() > LOG_TAIL ? "..." + logs.substring(logs.length() - LOG_TAIL) : logs);
    }
  }
}
