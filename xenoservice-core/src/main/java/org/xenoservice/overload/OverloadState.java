package org.xenoservice.overload;

/** Where the site stands, as the {@link OverloadDetector} sees it. */
public enum OverloadState {
    /** Ordinary traffic; baselines are learning. */
    NORMAL,
    /** Arrivals are well above their baseline but the site still keeps up: time to start replicating. */
    SURGING,
    /** The site is saturated (queueing, slow, out of CPU or stalling), or "under attack" was forced. */
    OVERLOADED,
    /** Saturation has passed; waiting for traffic to settle before declaring NORMAL. */
    RECOVERING
}
