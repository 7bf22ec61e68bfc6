package org.xenoservice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The [Service] section of a systemd unit file, read as systemd reads what the peer's unit uses:
 * {@code Environment=} defaults, an {@code EnvironmentFile=} on top of them, and command lines whose
 * {@code $NAME} is split into words and {@code ${NAME}} kept as one, so that a test runs exactly what
 * systemd would.
 */
final class SystemdUnit {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Map<String, List<String>> service = new LinkedHashMap<>();

    private SystemdUnit() {}

    static SystemdUnit read(Path file) throws IOException {
        SystemdUnit unit = new SystemdUnit();
        String section = "";
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int equals = line.indexOf('=');
            if (section.equals("[Service]") && equals > 0) {
                unit.service
                        .computeIfAbsent(line.substring(0, equals), key -> new ArrayList<>())
                        .add(line.substring(equals + 1));
            }
        }
        return unit;
    }

    /** The only value of {@code key}. */
    String value(String key) {
        List<String> values = service.getOrDefault(key, List.of());
        if (values.size() != 1) {
            throw new IllegalStateException("the unit has " + values.size() + " " + key + "= lines, not one");
        }
        return values.get(0);
    }

    /** The {@code Environment=} assignments, then those of {@code environmentFile} over them. */
    Map<String, String> environment(Path environmentFile) throws IOException {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String assignments : service.getOrDefault("Environment", List.of())) {
            for (String assignment : words(assignments)) {
                int equals = assignment.indexOf('=');
                environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            }
        }
        for (String raw : Files.readAllLines(environmentFile, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                int equals = line.indexOf('=');
                environment.put(
                        line.substring(0, equals).strip(),
                        line.substring(equals + 1).strip());
            }
        }
        return environment;
    }

    /** A command line of the unit ({@code ExecStart}, {@code ExecReload}) as systemd expands it. */
    List<String> command(String key, Map<String, String> environment) {
        List<String> words = new ArrayList<>();
        for (String word : words(value(key))) {
            Matcher whole = VARIABLE.matcher(word);
            if (whole.matches() && whole.group(2) != null) {
                String value = environment.getOrDefault(whole.group(2), "").strip();
                if (!value.isEmpty()) {
                    words.addAll(words(value));
                }
                continue;
            }
            words.add(VARIABLE.matcher(word)
                    .replaceAll(found -> Matcher.quoteReplacement(
                            environment.getOrDefault(found.group(1) != null ? found.group(1) : found.group(2), ""))));
        }
        return words;
    }

    private static List<String> words(String text) {
        return WHITESPACE.splitAsStream(text.strip()).toList();
    }
}
