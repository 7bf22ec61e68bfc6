package org.xenoservice.peer.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.ManualCertificate;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.peer.PeerSettingException.Setting;

/**
 * The differences between a peer's running configuration and a reloaded one, as the lines an
 * operator reads: which sites came and went, which enrolments changed and how, and which settings
 * changed that only a restart applies. Stateless.
 */
final class ConfigChanges {
    private ConfigChanges() {}

    /** Sites added, removed and re-enrolled with another key, quota, allowed origins or capture limits. */
    static List<String> sites(List<Enrollment> before, List<Enrollment> after) {
        Map<String, Enrollment> old = bySite(before);
        Map<String, Enrollment> now = bySite(after);
        List<String> lines = new ArrayList<>();
        for (Enrollment enrollment : after) {
            Enrollment was = old.get(enrollment.site());
            if (was == null) {
                lines.add("site added: " + enrollment.site());
            } else if (!was.equals(enrollment)) {
                List<String> what = new ArrayList<>();
                if (!was.key().equals(enrollment.key())) {
                    what.add("key");
                }
                if (!was.quota().equals(enrollment.quota())) {
                    what.add("quota");
                }
                if (!was.allowedOrigins().equals(enrollment.allowedOrigins())) {
                    what.add("allowed origins");
                }
                if (!was.captureLimits().equals(enrollment.captureLimits())) {
                    what.add("capture limits");
                }
                lines.add("site re-enrolled: " + enrollment.site() + " (" + String.join(", ", what) + ")");
            }
        }
        for (Enrollment enrollment : before) {
            if (!now.containsKey(enrollment.site())) {
                lines.add("site removed: " + enrollment.site() + " (its state stays in the store)");
            }
        }
        return lines;
    }

    /** Manual certificates whose files moved to other paths (a renewal in place shows as a renewed certificate). */
    static List<String> manualCertificates(List<ManualCertificate> before, List<ManualCertificate> after) {
        List<String> lines = new ArrayList<>();
        for (ManualCertificate certificate : after) {
            if (!before.contains(certificate)) {
                lines.add(
                        "manual certificate configured: " + certificate.site() + " (" + certificate.chainFile() + ")");
            }
        }
        for (ManualCertificate certificate : before) {
            if (after.stream().noneMatch(now -> now.site().equals(certificate.site()))) {
                lines.add("manual certificate dropped: " + certificate.site());
            }
        }
        return lines;
    }

    /** The bandwidth the sites share and how long retired sites are forwarded, which a reload applies, if changed. */
    static List<String> applied(PeerConfig before, PeerConfig after) {
        List<String> lines = new ArrayList<>();
        compare(lines, Setting.BANDWIDTH_BYTES_PER_SECOND, before, after, PeerConfig::bandwidthBytesPerSecond, "");
        compare(
                lines,
                Setting.RETIRED_FORWARDING,
                before,
                after,
                config -> config.retiredForwarding().toSeconds(),
                "");
        return lines;
    }

    /** The settings that changed but take effect only at the next start: ports, address, store, TLS, limits. */
    static List<String> restartNeeded(PeerConfig before, PeerConfig after) {
        List<String> lines = new ArrayList<>();
        String later = "; it takes effect at the next restart";
        compare(lines, Setting.SERVING_PORT, before, after, PeerConfig::servingPort, later);
        compare(lines, Setting.HTTPS_PORT, before, after, PeerConfig::httpsPort, later);
        compare(lines, Setting.TLS_ENGINE, before, after, PeerConfig::tlsEngine, later);
        compare(lines, Setting.CONTROL_PORT, before, after, PeerConfig::controlPort, later);
        compare(lines, Setting.BIND_ADDRESS, before, after, PeerConfig::bindAddress, later);
        compare(lines, Setting.STORE_DIRECTORY, before, after, PeerConfig::storeDirectory, later);
        compare(lines, Setting.MAX_UPLOAD_BYTES, before, after, PeerConfig::maxUploadBytes, later);
        if (!before.metricsToken().equals(after.metricsToken())) {
            lines.add(Setting.METRICS_TOKEN.propertyName() + " changed (not shown)" + later);
        }
        if (!before.connectionLimits().equals(after.connectionLimits())) {
            lines.add("connection limits changed from " + before.connectionLimits() + " to " + after.connectionLimits()
                    + later);
        }
        if (!before.tlsKeystore().equals(after.tlsKeystore())) {
            lines.add("tls-keystore changed from "
                    + before.tlsKeystore().map(Object::toString).orElse("none") + " to "
                    + after.tlsKeystore().map(Object::toString).orElse("none") + later);
        }
        return lines;
    }

    private static void compare(
            List<String> lines,
            Setting setting,
            PeerConfig before,
            PeerConfig after,
            Function<PeerConfig, Object> value,
            String note) {
        Object was = value.apply(before);
        Object now = value.apply(after);
        if (!Objects.equals(was, now)) {
            lines.add(setting.propertyName() + " changed from " + was + " to " + now + note);
        }
    }

    private static Map<String, Enrollment> bySite(List<Enrollment> enrollments) {
        Map<String, Enrollment> sites = new LinkedHashMap<>();
        enrollments.forEach(enrollment -> sites.put(enrollment.site(), enrollment));
        return sites;
    }
}
