package org.xenoservice.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.PeerSignature;

/**
 * A peer host's own Ed25519 identity: the key that signs every request the peer sends to a site's
 * origin (proxied requests and captured requests' deliveries, see {@link PeerSignature}), so that
 * an origin that pins the public key ({@code peer.<name>.public-key} in its configuration) trusts
 * this peer's requests and no one else's. Made on the peer's first start in
 * {@code <store>/identity/} ({@value #PRIVATE_KEY_FILE}, mode 600, and {@value #PUBLIC_KEY_FILE})
 * and kept across restarts; the private key never leaves the machine.
 *
 * <p>Give site owners {@link #publicKeyId()}: {@code xenoservice peer identity --store DIR} prints
 * it, {@code peer serve} logs it, and the peer's status shows it. Immutable and safe for
 * concurrent use; its {@code toString()} shows the public key only.
 */
public final class PeerIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(PeerIdentity.class);

    /** The folder, under the peer's store, that holds the identity. */
    public static final String DIRECTORY = "identity";
    /** The private key's file: PKCS#8 PEM, mode 600. */
    public static final String PRIVATE_KEY_FILE = "peer.key";
    /** The public key's file: X.509 SubjectPublicKeyInfo PEM. */
    public static final String PUBLIC_KEY_FILE = "peer.pub";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    private final Clock clock;

    private PeerIdentity(PrivateKey privateKey, PublicKey publicKey, Clock clock) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = PeerSignature.keyId(publicKey);
        this.clock = clock;
    }

    /** An identity over a key pair held elsewhere (tests, embedders), signing with the system clock. */
    public static PeerIdentity of(KeyPair keys) {
        return of(keys, Clock.systemUTC());
    }

    /** An identity over a key pair, signing with timestamps from {@code clock}. */
    public static PeerIdentity of(KeyPair keys, Clock clock) {
        Objects.requireNonNull(keys, "keys");
        if (!SiteKeys.ALGORITHM.equals(keys.getPublic().getAlgorithm())
                && !"EdDSA".equals(keys.getPublic().getAlgorithm())) {
            throw new IllegalArgumentException("a peer identity is an Ed25519 key, but was "
                    + keys.getPublic().getAlgorithm());
        }
        return new PeerIdentity(keys.getPrivate(), keys.getPublic(), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The identity kept in {@code storeDirectory}/{@value #DIRECTORY}, made there on the first call.
     *
     * @throws IOException if the files cannot be written or read, or do not hold a matching Ed25519
     *     key pair; the message names the file and what to do
     */
    public static PeerIdentity loadOrCreate(Path storeDirectory, Clock clock) throws IOException {
        Path folder = storeDirectory.resolve(DIRECTORY);
        Path privateFile = folder.resolve(PRIVATE_KEY_FILE);
        Path publicFile = folder.resolve(PUBLIC_KEY_FILE);
        if (!Files.exists(privateFile)) {
            KeyPair keys = SiteKeys.generate();
            // the public key first: a crash between the two leaves no private key, and the next start makes a new pair
            TlsKeys.writeAtomically(
                    publicFile, SiteKeys.toPem(keys.getPublic()).getBytes(StandardCharsets.US_ASCII), false);
            TlsKeys.writeAtomically(
                    privateFile,
                    TlsKeys.pem("PRIVATE KEY", keys.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII),
                    true);
            PeerIdentity made = of(keys, clock);
            LOG.info(
                    "peer: made a new identity in {}; give site owners its public key: {}", folder, made.publicKeyId());
            return made;
        }
        PrivateKey privateKey = SiteKeys.readPrivateKey(privateFile);
        PublicKey publicKey = SiteKeys.readPublicKey(publicFile);
        byte[] probe = "xenoservice peer identity".getBytes(StandardCharsets.US_ASCII);
        if (!SiteKeys.verify(publicKey, probe, SiteKeys.sign(privateKey, probe))) {
            throw new IOException(publicFile + " does not match " + privateFile
                    + "; restore the pair from a backup, or move both away to"
                    + " make a new identity (and give site owners its new public key)");
        }
        return new PeerIdentity(privateKey, publicKey, clock);
    }

    /** The public key. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * The public key on one line, as origins pin it ({@code peer.<name>.public-key = ...}) and as the
     * peer sends it in {@value PeerSignature#PEER_KEY_HEADER}.
     */
    public String publicKeyId() {
        return keyId;
    }

    /** The public key as PEM. */
    public String publicKeyPem() {
        return SiteKeys.toPem(publicKey);
    }

    /**
     * The headers that sign one request to an origin (see {@link PeerSignature#sign}).
     *
     * @param method the request method
     * @param target the raw path and query as sent
     * @param signedHeaders the headers sent that the origin may act on, in order
     * @param bodySha256 the body's SHA-256 in lower-case hex
     */
    public Map<String, String> sign(
            String method, String target, List<Map.Entry<String, String>> signedHeaders, String bodySha256) {
        return PeerSignature.sign(privateKey, keyId, method, target, signedHeaders, bodySha256, clock.instant());
    }

    /** The public key only. */
    @Override
    public String toString() {
        return "PeerIdentity[" + keyId + "]";
    }
}
