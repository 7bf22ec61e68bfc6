package org.xenoservice.peer.server;

import io.undertow.util.DateUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.Date;
import java.util.Optional;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.bundle.RepresentationHeaders;

/**
 * What a {@code GET} or {@code HEAD} of one file asks for, by the request headers of RFC 9110:
 * which bytes ({@code Range}, honoured only while {@code If-Range} holds), which representation
 * (the identity bytes or, when {@code Accept-Encoding} allows, the stored gzip) with its entity
 * tag, and whether the client's copy is already current ({@code If-None-Match},
 * {@code If-Modified-Since}). Kept apart from {@link SiteHandler}, which sends what this decides,
 * so that the header rules the class javadoc there describes are in one place.
 *
 * <p>Immutable.
 */
final class ConditionalRequest {
    private final HeaderMap request;
    private final ManifestFile file;
    private final ByteRange range;
    private final boolean gzip;
    private final String tag;
    private final Optional<String> otherTag;

    private ConditionalRequest(
            HeaderMap request,
            ManifestFile file,
            ByteRange range,
            boolean gzip,
            String tag,
            Optional<String> otherTag) {
        this.request = request;
        this.file = file;
        this.range = range;
        this.gzip = gzip;
        this.tag = tag;
        this.otherTag = otherTag;
    }

    /** Reads the request headers for {@code file}; {@code head} ignores {@code Range}. */
    static ConditionalRequest of(HeaderMap request, ManifestFile file, boolean head) {
        boolean gzipStored = file.encoding() == Encoding.GZIP;
        String identityTag = '"' + file.sha256() + '"';
        String gzipTag = '"' + file.sha256() + SiteHandler.GZIP_ETAG_SUFFIX + '"';
        boolean clientGzip =
                gzipStored && RepresentationHeaders.acceptsGzip(joined(request.get(Headers.ACCEPT_ENCODING)));

        ByteRange range = ByteRange.NONE;
        HeaderValues rangeHeaders = request.get(Headers.RANGE);
        if (!head && rangeHeaders != null && rangeHeaders.size() == 1 && ifRangeHolds(request, identityTag, file)) {
            range = ByteRange.parse(rangeHeaders.getFirst(), file.size());
        }
        boolean sendGzip = clientGzip && range.kind() == ByteRange.Kind.IGNORE;
        return new ConditionalRequest(
                request,
                file,
                range,
                sendGzip,
                sendGzip ? gzipTag : identityTag,
                gzipStored ? Optional.of(sendGzip ? identityTag : gzipTag) : Optional.empty());
    }

    /** The identity bytes asked for; {@link ByteRange.Kind#IGNORE} for the whole representation. */
    ByteRange range() {
        return range;
    }

    /** Whether the stored gzip is sent as it is, with {@code Content-Encoding: gzip}. */
    boolean gzip() {
        return gzip;
    }

    /** The entity tag of the representation sent. */
    String tag() {
        return tag;
    }

    /**
     * The tag to answer 304 with, if the client's copy is current: {@code If-None-Match} naming the
     * selected representation's tag or, for a gzip-stored file, the other one; else, without
     * {@code If-None-Match}, an {@code If-Modified-Since} no older than the file.
     */
    Optional<String> notModified() {
        String ifNoneMatch = joined(request.get(Headers.IF_NONE_MATCH));
        if (ifNoneMatch != null) {
            if (RepresentationHeaders.weakMatch(ifNoneMatch, tag)) {
                return Optional.of(tag);
            }
            return otherTag.filter(other -> RepresentationHeaders.weakMatch(ifNoneMatch, other));
        }
        HeaderValues since = request.get(Headers.IF_MODIFIED_SINCE);
        if (since != null && since.size() == 1) {
            Date date = DateUtils.parseDate(since.getFirst());
            if (date != null
                    && file.lastModified().getEpochSecond() <= date.toInstant().getEpochSecond()) {
                return Optional.of(tag);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code If-Range} is absent or names the identity representation's tag or exact date. */
    private static boolean ifRangeHolds(HeaderMap request, String identityTag, ManifestFile file) {
        HeaderValues ifRange = request.get(Headers.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        if (ifRange.size() != 1) {
            return false;
        }
        String value = ifRange.getFirst();
        if (EntityTags.isEntityTag(value)) {
            return EntityTags.strongMatch(value, identityTag);
        }
        Date date = DateUtils.parseDate(value.trim());
        return date != null
                && date.toInstant().getEpochSecond() == file.lastModified().getEpochSecond();
    }

    /** A header's values joined with commas, or null when absent. */
    private static String joined(HeaderValues values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.getFirst() : String.join(",", values);
    }
}
