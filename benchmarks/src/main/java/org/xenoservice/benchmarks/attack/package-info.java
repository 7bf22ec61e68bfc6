/**
 * The attack-absorption testbed's drivers ({@code benchmarks/attack-testbed.sh}): the origin, the
 * customers and the attacker, each run inside its own network namespace, and the report that
 * turns their logs into {@code report.json}, {@code timeline.png} and a summary table. Clients
 * resolve the site through the testbed's BIND and honour the answers' TTL, as browsers and bots do.
 */
package org.xenoservice.benchmarks.attack;
