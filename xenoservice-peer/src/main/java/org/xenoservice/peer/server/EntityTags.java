package org.xenoservice.peer.server;

/**
 * Entity-tags as {@code If-Range} carries them (RFC 9110 §8.8.3, §13.1.5); an {@code If-None-Match}
 * list is read by {@link org.xenoservice.bundle.RepresentationHeaders#weakMatch}, as at the origin.
 */
final class EntityTags {
    private EntityTags() {}

    /** Whether {@code value} is one strong entity-tag equal to {@code tag} (strong comparison). */
    static boolean strongMatch(String value, String tag) {
        return value.trim().equals(tag);
    }

    /** Whether an {@code If-Range} value is an entity-tag rather than a date. */
    static boolean isEntityTag(String value) {
        String trimmed = value.trim();
        return trimmed.startsWith("\"") || trimmed.startsWith("W/");
    }
}
