package org.xenoservice.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

/**
 * Addresses as people and tools expect to read them: IPv4 in dotted quads, IPv6 in the canonical
 * text form of RFC 5952 ({@code ::1}, {@code 2001:db8::7}), where the JDK's
 * {@link InetAddress#getHostAddress()} prints every group ({@code 0:0:0:0:0:0:0:1}). XenoService
 * prints addresses this way everywhere: logs, the CLI, status JSON and metrics labels.
 *
 * <p>Stateless and safe for concurrent use.
 */
public final class AddressLiterals {
    private static final int GROUPS = 8;

    private AddressLiterals() {}

    /**
     * The canonical text of {@code address}: for IPv6, lower-case hexadecimal without leading zeros,
     * the longest run of two or more zero groups (the first of equal runs) shortened to {@code ::},
     * and the zone kept as {@code %zone}; for IPv4, the dotted quad.
     */
    public static String format(InetAddress address) {
        if (!(address instanceof Inet6Address inet6)) {
            return address.getHostAddress();
        }
        byte[] bytes = inet6.getAddress();
        int[] groups = new int[GROUPS];
        for (int i = 0; i < GROUPS; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < GROUPS; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < GROUPS && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < GROUPS; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        String zone = zone(inet6);
        return zone.isEmpty() ? text.toString() : text + "%" + zone;
    }

    /** {@link #format} of each address, in order. */
    public static List<String> formatAll(Collection<? extends InetAddress> addresses) {
        return addresses.stream().map(AddressLiterals::format).toList();
    }

    private static String zone(Inet6Address address) {
        if (address.getScopedInterface() != null) {
            return address.getScopedInterface().getName();
        }
        return address.getScopeId() != 0 ? Integer.toString(address.getScopeId()) : "";
    }
}
