package io.mailgate.authn.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand, to cross the once-per-second change-check window without sleeping. */
public final class ManualClock extends Clock {

  private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

  /** Moves the clock forward. */
  public void advance(Duration step) {
    now = now.plus(step);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }
}
