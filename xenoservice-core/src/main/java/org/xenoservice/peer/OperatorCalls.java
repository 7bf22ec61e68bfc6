package org.xenoservice.peer;

import java.security.PublicKey;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlError;

/**
 * The peer operator's own control call, beside the site owners' calls on the control port:
 * {@code POST /xeno/v1/peer/reload} re-reads the peer's configuration as SIGHUP does, for an
 * operator who manages peers from afar. It exists so that a reload never needs a shell on the peer.
 *
 * <p>The call is signed as a site owner's is ({@code ControlSignature}: the same headers, clock skew
 * and fresh-nonce rule), but with the peer's own identity key ({@code <store>/identity/peer.key})
 * and {@value #SIGNER} in the site header: whoever may read the peer's store may reload it, and no
 * site owner can. Its body must be empty. Safe for concurrent use; the reload itself must be.
 */
public final class OperatorCalls {
    /** The path of the reload call. */
    public static final String RELOAD_PATH = "/xeno/v1/peer/reload";
    /** The name an operator's call carries in the site header. */
    public static final String SIGNER = "peer";

    private final ControlAuthenticator authenticator;
    private final Supplier<ControlProtocol.Response> reload;

    /**
     * Operator calls checked against {@code operatorKey} (the peer identity's public key).
     *
     * @param clock the peer's clock, against which the calls' timestamps are checked
     * @param reload reloads the configuration and answers with what changed or why nothing did;
     *     runs on a control worker thread
     */
    public OperatorCalls(PublicKey operatorKey, Clock clock, Supplier<ControlProtocol.Response> reload) {
        Objects.requireNonNull(operatorKey, "operatorKey");
        this.authenticator = new ControlAuthenticator(
                signer -> signer.equals(SIGNER) ? Optional.of(operatorKey) : Optional.empty(),
                clock,
                ControlAuthenticator.DEFAULT_SKEW);
        this.reload = Objects.requireNonNull(reload, "reload");
    }

    /** Whether {@code path} names an operator call (else it is a site owner's, for {@link ControlProtocol}). */
    public static boolean isOperatorCall(String path) {
        return path.startsWith("/xeno/v1/peer/");
    }

    /**
     * Authenticates and runs one operator call.
     *
     * @param declaredLength the request's Content-Length, or -1 when unknown
     */
    public ControlProtocol.Response handle(
            String method, String path, Map<String, String> headers, long declaredLength) {
        if (!path.equals(RELOAD_PATH)) {
            return error(404, "no-such-call", "no operator call at " + path + "; the one call is " + RELOAD_PATH);
        }
        if (!method.equals("POST")) {
            return error(405, "method", "reload takes POST, not " + method);
        }
        if (declaredLength > 0) {
            return error(413, "too-large", "reload takes no body, but " + declaredLength + " bytes were declared");
        }
        try {
            authenticator.authenticate(method, path, SIGNER, headers);
        } catch (ControlAuthException e) {
            boolean wrongKey = e.reason() == ControlAuthException.Reason.STRANGER
                    || e.reason() == ControlAuthException.Reason.BAD_SIGNATURE;
            return error(
                    e.status(),
                    e.reason().id(),
                    wrongKey
                            ? "the call is not signed by this peer's identity key; sign it with <store>/"
                                    + PeerIdentity.DIRECTORY + "/" + PeerIdentity.PRIVATE_KEY_FILE + " and "
                                    + SIGNER + " in the site header"
                            : e.getMessage());
        }
        return reload.get();
    }

    private static ControlProtocol.Response error(int status, String reason, String message) {
        return ControlProtocol.Response.json(status, ControlCodec.writeError(new ControlError(reason, message)));
    }
}
