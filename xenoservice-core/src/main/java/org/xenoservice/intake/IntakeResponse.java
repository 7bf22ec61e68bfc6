package org.xenoservice.intake;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What an adapter answers for a forwarded request, as {@link CaptureIntake#accept} decided it: a
 * status and a small JSON body, which the adapter writes as they are. Keeps the intake free of any
 * web framework. Status codes: {@code 200} applied or duplicate (the peer acknowledges), {@code 4xx}
 * refused, {@code 409} the same key is being applied right now, {@code 5xx} not applied yet; the
 * peer retries anything but a 2xx.
 *
 * @param status the HTTP status code
 * @param contentType the body's media type, {@value #JSON}
 * @param body the body, e.g. {@code {"status":"applied","key":"..."}} or
 *     {@code {"error":"wrong-site","reason":"..."}}
 */
@SuppressWarnings("ArrayRecordComponent") // the body is handed on as is, not copied; responses are not compared
public record IntakeResponse(int status, String contentType, byte[] body) {
    /** The media type of every intake answer. */
    public static final String JSON = "application/json";

    /** Checks the status is an HTTP status code and copies the body. */
    public IntakeResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status code from 100 to 599, but was " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        body = body.clone();
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body as text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Equal when the status, the type and the body's bytes are. */
    @Override
    public boolean equals(Object other) {
        return other instanceof IntakeResponse that
                && status == that.status
                && contentType.equals(that.contentType)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, contentType, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "IntakeResponse[" + status + " " + bodyText() + "]";
    }
}
