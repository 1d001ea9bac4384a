package io.mailgate.auth;

import io.mailgate.config.AuthHttpConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The auth services of one server and the order a login tries them in ({@code auth_http_balance}): those that are up,
 * from the first ({@code first}) or from the next in turn ({@code round_robin}); when every one is down, all of them
 * in that order anyway, so that a down mark never refuses a login on its own and a service that is back is found by
 * the next login.
 */
final class AuthServices {

  private final List<AuthService> services;
  private final AuthHttpConfig.Balance balance;
  private final AtomicInteger next = new AtomicInteger();

  AuthServices(List<AuthService> services, AuthHttpConfig.Balance balance) {
    this.services = List.copyOf(services);
    this.balance = balance;
  }

  /** Every service, in configuration order. */
  List<AuthService> all() {
    return services;
  }

  /**
   * The services one login tries, in order. Round robin turns among the services that are up, so that the share of
   * one that is down is spread over the others rather than all given to its successor. Any thread.
   */
  List<AuthService> order() {
    int n = services.size();
    if (n == 1) {
      return services;
    }
    List<AuthService> candidates = new ArrayList<>(n);
    for (AuthService s : services) {
      if (!s.isDown()) {
        candidates.add(s);
      }
    }
    if (candidates.isEmpty()) {
      candidates.addAll(services);
    }
    if (balance != AuthHttpConfig.Balance.ROUND_ROBIN) {
      return candidates;
    }
    int size = candidates.size();
    int start = Math.floorMod(next.getAndIncrement(), size);
    List<AuthService> rotated = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      rotated.add(candidates.get((start + i) % size));
    }
    return rotated;
  }

  /** Closes every service's pool and stops their background work. */
  void close() {
    services.forEach(AuthService::close);
  }
}
