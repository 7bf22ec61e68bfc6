/**
 * Benchmarks of XenoService, run from the shaded {@code benchmarks/target/benchmarks.jar}, never in
 * the test suites. {@link org.xenoservice.benchmarks.BundleBuildBenchmark} times bundle builds
 * against {@code tar czf} of the same {@link org.xenoservice.benchmarks.MixedTree}, and
 * {@link org.xenoservice.benchmarks.DeltaSizeReport} measures what a one-file change costs as a
 * delta bundle; {@code benchmarks/run-bundle-benchmark.sh} runs both and prints the figures.
 */
package org.xenoservice.benchmarks;
