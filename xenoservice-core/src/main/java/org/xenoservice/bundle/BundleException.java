package org.xenoservice.bundle;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * A bundle was rejected, whole, because it broke one rule of the {@code xenoservice-bundle/1}
 * format. {@link #rule()} is the machine-readable reason; the message names the rule, the entry
 * or path at fault, and what to do. Nothing of a rejected bundle is kept.
 */
public final class BundleException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The rule a rejected bundle broke. */
    public enum Rule {
        /** Not a tar archive (optionally gzip-compressed) at all, or empty. */
        NOT_A_BUNDLE,
        /** The archive or one of its entries ends early. */
        TRUNCATED,
        /** {@code manifest.json} must come first, {@code manifest.sig} second, then the blobs. */
        ENTRY_ORDER,
        /** An entry name is not {@code manifest.json}, {@code manifest.sig} or {@code blobs/<sha256>}. */
        ENTRY_NAME,
        /** An entry is not a regular file (a link, a device, a directory, a sparse file). */
        ENTRY_TYPE,
        /** An entry name appears twice. */
        DUPLICATE_ENTRY,
        /** {@code manifest.sig} does not verify against the site's pinned public key. */
        SIGNATURE,
        /** {@code manifest.json} is not valid JSON of the expected shape. */
        MANIFEST_SYNTAX,
        /** The manifest is of another format or format version. */
        FORMAT_VERSION,
        /** The manifest is for another site than expected. */
        SITE,
        /** The bundle's version is not newer than the version already served. */
        VERSION,
        /** A file path in the manifest is not a normalised URL path. */
        PATH,
        /** A file path appears twice in the manifest. */
        DUPLICATE_PATH,
        /** A blob's content does not hash to its name. */
        BLOB_DIGEST,
        /** A blob's identity or stored size differs from the manifest, or a file's encoding is inconsistent. */
        BLOB_SIZE,
        /** A blob stored as gzip is not one well-formed gzip member. */
        BLOB_ENCODING,
        /** The bundle carries a blob no manifest file refers to. */
        UNREFERENCED_BLOB,
        /** A manifest file's blob is neither in the bundle nor in the base. */
        MISSING_BLOB,
        /** A delta bundle's base is absent or is not the manifest it names. */
        BASE,
        /** A size, count or compression-ratio limit was exceeded. */
        LIMIT;

        /** The rule's name as it appears in messages and JSON errors, e.g. {@code blob-digest}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Rule rule;
    private final String missingBase;

    /** Creates a rejection for {@code rule}; the message should say what is wrong and what to do. */
    public BundleException(Rule rule, String message) {
        super("bundle rejected [" + rule.id() + "]: " + message);
        this.rule = rule;
        this.missingBase = null;
    }

    private BundleException(String message, String missingBase) {
        super("bundle rejected [" + Rule.BASE.id() + "]: " + message);
        this.rule = Rule.BASE;
        this.missingBase = missingBase;
    }

    /** A {@link Rule#BASE} rejection of a delta built on {@code missingBase}, a manifest the reader does not hold. */
    static BundleException missingBase(String missingBase, String message) {
        return new BundleException(message, missingBase);
    }

    /** Creates a rejection for {@code rule} caused by a lower-level error. */
    public BundleException(Rule rule, String message, Throwable cause) {
        super("bundle rejected [" + rule.id() + "]: " + message, cause);
        this.rule = rule;
        this.missingBase = null;
    }

    /** The rule the bundle broke. */
    public Rule rule() {
        return rule;
    }

    /**
     * For a delta bundle refused with {@link Rule#BASE}: the sha256 of the base manifest it is built
     * on, which the reader does not hold; empty for every other rejection.
     */
    public Optional<String> missingBase() {
        return Optional.ofNullable(missingBase);
    }
}
