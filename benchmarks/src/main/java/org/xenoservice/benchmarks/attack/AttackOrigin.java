package org.xenoservice.benchmarks.attack;

/** Placeholder until the bookstore is merged. */
final class AttackOrigin {
  private AttackOrigin() {
  }
}
