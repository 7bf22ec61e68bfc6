/**
 * The {@code xenoservice} command-line tool: site keys, bundles (build, verify, extract, diff) and,
 * DNS updates, and pushing to and running peer hosts. Commands exit 0 when they succeed, 1 when the input
 * is rejected or the work fails, and 2 on a usage error; errors are one line on stderr.
 */
package org.xenoservice.cli;
