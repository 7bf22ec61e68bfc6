package org.xenoservice.dynamic;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Parsing of the settings the dynamic policies share. */
final class DynamicSettings {
    private DynamicSettings() {}

    /** A whole number between {@code min} and {@code max}, or {@code fallback} when absent. */
    static long number(Map<String, String> settings, String name, long fallback, long min, long max) {
        String value = settings.get(name);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new DynamicSettingException(name, name + " must be a whole number, was \"" + value + "\"");
        }
        if (parsed < min || parsed > max) {
            throw new DynamicSettingException(
                    name, name + " must be between " + min + " and " + max + ", was " + parsed);
        }
        return parsed;
    }

    /** A bundle path (absolute, no {@code .} or {@code ..} segment), if the setting is present. */
    static Optional<String> page(Map<String, String> settings, String name) {
        String value = settings.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.startsWith("/")
                || value.contains("/./")
                || value.contains("/../")
                || value.endsWith("/.")
                || value.endsWith("/..")
                || value.indexOf('\\') >= 0) {
            throw new DynamicSettingException(
                    name, name + " must be an absolute path in the bundle, was \"" + value + "\"");
        }
        return Optional.of(value);
    }

    /** An absolute http(s) URL with a host and no query, without a trailing slash. */
    static URI httpUrl(String name, String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new DynamicSettingException(name, name + " must be an absolute http(s) URL, was \"" + value + "\"");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new DynamicSettingException(
                    name, name + " must be an absolute http(s) URL without query, was \"" + value + "\"");
        }
        String text = uri.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }
}
