/**
 * The one-command attack demo: a small shop on loopback, protected by XenoService, three peers, a
 * real BIND (or printed DNS updates when BIND is missing), a flood, simulated customers and a live
 * dashboard. {@link org.xenoservice.samples.demo.DemoMain} runs it; {@code --scripted} plays a
 * calm–flood–calm scenario and writes a report and a chart.
 */
package org.xenoservice.samples.demo;
