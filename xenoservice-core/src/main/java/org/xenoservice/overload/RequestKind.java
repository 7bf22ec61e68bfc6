package org.xenoservice.overload;

/** Whether a request was served from static content or by the application's dynamic handlers. */
public enum RequestKind {
    /** A file of the site's static content. */
    STATIC,
    /** A page or action computed by the application. */
    DYNAMIC
}
