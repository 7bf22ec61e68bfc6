package org.xenoservice.dynamic;

/**
 * A dynamic route's setting is missing or invalid. {@link #setting()} names it, so that a replica
 * can log which one the site's publisher must fix.
 */
public final class DynamicSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    DynamicSettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The name of the setting at fault, as the manifest spells it. */
    public String setting() {
        return setting;
    }
}
