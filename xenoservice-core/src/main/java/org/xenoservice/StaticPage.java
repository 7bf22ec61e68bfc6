package org.xenoservice;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.xenoservice.bundle.BundleBlobs;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.bundle.RepresentationHeaders;

/**
 * One static file held in memory, with every answer to a {@code GET} or {@code HEAD} of it made
 * once when it is loaded: the 200 and the {@code HEAD} of each representation (the identity bytes
 * and, for a gzip-stored file, the stored gzip) and the 304 of each, headers and all. Answering a
 * request only picks one of them, so the request path formats nothing and allocates nothing.
 *
 * <p>The answers are those of a peer's serving port ({@code SiteHandler}): {@code ETag} is the
 * SHA-256 of the identity bytes, strong, with {@value #GZIP_ETAG_SUFFIX} appended for the gzip
 * representation; {@code If-None-Match} matches either tag (weak comparison, lists, {@code *}) and
 * the 304 names the tag the client holds; a gzip-stored file goes out as stored with
 * {@code Content-Encoding: gzip} when {@code Accept-Encoding} allows, else as its identity bytes,
 * and always with {@code Vary: Accept-Encoding}; {@code Cache-Control} and {@code Last-Modified}
 * come from the manifest. Without {@code If-None-Match}, {@code If-Modified-Since} gets a 304 when
 * it is exactly the file's {@code Last-Modified} (what browsers send back); any other date gets
 * the 200, which is always correct and needs no date parsing. {@code Range} is not honoured: the
 * whole file with 200, as RFC 9110 allows.
 *
 * <p>A {@code HEAD} answer and a 304 have an empty body and a {@code Content-Length} header with
 * the length of the representation their {@code ETag} names; see {@link XenoResponse#contentLength()}.
 *
 * <p>Immutable.
 */
final class StaticPage {
    /** Appended to the SHA-256 in the ETag of the gzip representation, as on the peers. */
    static final String GZIP_ETAG_SUFFIX = "-gz";

    /** An HTTP date (IMF-fixdate, RFC 9110 §5.6.7), e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private static final byte[] NO_BODY = new byte[0];

    private final boolean gzipStored;
    private final String identityTag;
    private final String gzipTag;
    private final String lastModified;
    private final Representation identity;
    private final Representation gzip;

    /** The three answers of one representation, each wrapped once so that answering allocates nothing. */
    private record Representation(
            Optional<XenoResponse> get, Optional<XenoResponse> head, Optional<XenoResponse> notModified) {}

    private StaticPage(ManifestFile file, BundleBlobs.Blob blob) {
        this.gzipStored = file.encoding() == Encoding.GZIP;
        this.identityTag = '"' + file.sha256() + '"';
        this.gzipTag = '"' + file.sha256() + GZIP_ETAG_SUFFIX + '"';
        this.lastModified =
                HTTP_DATE.format(Instant.ofEpochSecond(file.lastModified().getEpochSecond()));
        this.identity = representation(file, identityTag, lastModified, blob.identity(), Optional.empty());
        this.gzip =
                gzipStored ? representation(file, gzipTag, lastModified, blob.stored(), Optional.of("gzip")) : identity;
    }

    /**
     * The page of {@code file}, whose bytes are {@code blob}.
     *
     * @throws IllegalArgumentException if the blob is not the file's
     */
    static StaticPage of(ManifestFile file, BundleBlobs.Blob blob) {
        if (!blob.key().equals(file.blob())) {
            throw new IllegalArgumentException(
                    "blob " + blob.key() + " is not the blob of " + file.path() + " (" + file.blob() + ")");
        }
        return new StaticPage(file, blob);
    }

    /**
     * The answer to a {@code GET} ({@code head} false) or {@code HEAD} of this file.
     *
     * @param header a request header's value by name
     */
    Optional<XenoResponse> answer(boolean head, Function<String, Optional<String>> header) {
        boolean sendGzip = gzipStored
                && RepresentationHeaders.acceptsGzip(
                        header.apply("Accept-Encoding").orElse(null));
        Representation selected = sendGzip ? gzip : identity;
        Optional<String> ifNoneMatch = header.apply("If-None-Match");
        if (ifNoneMatch.isPresent()) {
            String value = ifNoneMatch.get();
            if (RepresentationHeaders.weakMatch(value, sendGzip ? gzipTag : identityTag)) {
                return selected.notModified();
            }
            if (gzipStored && RepresentationHeaders.weakMatch(value, sendGzip ? identityTag : gzipTag)) {
                return (sendGzip ? identity : gzip).notModified();
            }
        } else {
            Optional<String> since = header.apply("If-Modified-Since");
            if (since.isPresent() && since.get().equals(lastModified)) {
                return selected.notModified();
            }
        }
        return head ? selected.head() : selected.get();
    }

    private static Representation representation(
            ManifestFile file, String tag, String lastModified, byte[] body, Optional<String> contentEncoding) {
        boolean gzipStored = file.encoding() == Encoding.GZIP;
        Map<String, String> headers = new HashMap<>();
        headers.put("ETag", tag);
        headers.put("Cache-Control", file.cacheControl());
        headers.put("Last-Modified", lastModified);
        if (gzipStored) {
            headers.put("Vary", "Accept-Encoding");
        }
        Map<String, String> notModified = new HashMap<>(headers);
        notModified.put(XenoResponse.CONTENT_LENGTH, Integer.toString(body.length));
        contentEncoding.ifPresent(coding -> headers.put("Content-Encoding", coding));
        Map<String, String> head = new HashMap<>(headers);
        head.put(XenoResponse.CONTENT_LENGTH, Integer.toString(body.length));
        String type = file.contentType();
        return new Representation(
                Optional.of(new XenoResponse(200, type, body, headers)),
                Optional.of(new XenoResponse(200, type, NO_BODY, head)),
                Optional.of(new XenoResponse(304, type, NO_BODY, notModified)));
    }
}
