package org.xenoservice.benchmarks.attack;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The testbed's CPU samples ({@code cpu.csv}, written once a second by the script): the CPU time
 * the processes of each host used so far, the whole machine's busy and total CPU time (ms), and the
 * load average. They show where the machine's cores went in a window (the peers' handshakes, the
 * attacker, the origin) and how much of it other work on the machine took (it is shared).
 */
record CpuSamples(List<String> columns, List<long[]> rows, List<Double> load) {
    /** The samples in {@code file}, or empty when the run has none. */
    static Optional<CpuSamples> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 3) {
            return Optional.empty();
        }
        List<String> columns = List.of(lines.get(0).split(",", -1));
        List<long[]> rows = new ArrayList<>();
        List<Double> load = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length != columns.size()) {
                continue; // the last line of a killed sampler
            }
            long[] row = new long[f.length - 1];
            for (int i = 0; i < row.length; i++) {
                row[i] = Long.parseLong(f[i]);
            }
            rows.add(row);
            load.add(Double.parseDouble(f[f.length - 1]));
        }
        return rows.size() < 2 ? Optional.empty() : Optional.of(new CpuSamples(columns, rows, load));
    }

    /**
     * Cores used on average from {@code from} to {@code until} (epoch ms): per host, the peers
     * together, the testbed, the machine, and the machine outside the testbed; and the highest load
     * average seen. Empty when the samples do not cover the window.
     */
    Optional<ObjectNode> cores(long from, long until) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < rows.size(); i++) {
            if (first < 0 && rows.get(i)[0] >= from) {
                first = i;
            }
            if (rows.get(i)[0] <= until) {
                last = i;
            }
        }
        if (first < 0 || last <= first) {
            return Optional.empty();
        }
        long[] a = rows.get(first);
        long[] b = rows.get(last);
        double millis = b[0] - a[0];
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        double testbed = 0;
        double peers = 0;
        int hosts = columns.size() - 4; // epochMillis, the hosts, machineBusy, machineAll, load1
        for (int i = 1; i <= hosts; i++) {
            double cores = (b[i] - a[i]) / millis;
            node.put(columns.get(i), round(cores));
            testbed += cores;
            peers += columns.get(i).startsWith("peer") ? cores : 0;
        }
        double machine = (b[hosts + 1] - a[hosts + 1]) / millis;
        double available = (b[hosts + 2] - a[hosts + 2]) / millis;
        node.put("peers", round(peers));
        node.put("testbed", round(testbed));
        node.put("machine", round(machine));
        node.put("machineCores", Math.round(available));
        node.put("outsideTestbed", round(Math.max(0, machine - testbed)));
        node.put(
                "maxLoad1",
                load.subList(first, last + 1).stream()
                        .mapToDouble(Double::doubleValue)
                        .max()
                        .orElse(0));
        return Optional.of(node);
    }

    private static double round(double cores) {
        return Math.round(cores * 100) / 100.0;
    }
}
