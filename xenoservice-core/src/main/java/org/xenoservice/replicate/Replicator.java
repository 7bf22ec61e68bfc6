package org.xenoservice.replicate;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BuildResult;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.SourceFile;
import org.xenoservice.bundle.StaticSource;
import org.xenoservice.client.PeerClient;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.DnsUpdateException;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadListener;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.protocol.SiteStatus;

/**
 * Replicates the site onto its peer pool, driven by the overload detector's events:
 *
 * <ol>
 *   <li>in calm times it builds the site's bundle from its static source, rebuilds it when the
 *       source changes, and keeps every peer staged with it (delta pushes: only blobs a peer lacks
 *       travel, at most {@link Builder#maxUploadBytesPerSecond} per peer);
 *   <li>on SURGING or OVERLOADED it activates peers in waves of 1, 2, 4 … (preferring staged and
 *       heavier peers), asks each to confirm it serves the current version, and adds the confirmed
 *       peers' addresses to the site's DNS name in one UPDATE per wave;
 *   <li>if configured, the first such UPDATE also removes the origin's own addresses ("shelters"
 *       it), so clients go to the peers while the peers still reach it on its back-channel;
 *   <li>once the detector has been NORMAL for the cool-down, one UPDATE takes the peers out of
 *       the name (and puts the origin back); the peers keep serving for twice the TTL, so that
 *       clients holding a cached answer never meet a dead peer, and are then retired.
 * </ol>
 *
 * <p>A peer that fails a call (down, refusing, slow) is skipped and tried again after a backoff
 * that doubles up to {@link #MAX_RETRY_BACKOFF}; a DNS update that fails is retried likewise. Every
 * step is logged at INFO and kept in {@link #status()}.
 *
 * <p>All decisions are taken on one thread, {@code xeno-replicator}; calls to peers run on
 * {@code xeno-replicator-peer-*} threads so that a slow peer never holds up the others. If the
 * process starts while pool addresses are still in the DNS name (e.g. after a crash during a flood),
 * the replicator adopts them and withdraws them after the cool-down like any other flood.
 * Safe for concurrent use; close it to stop its threads.
 */
public final class Replicator implements OverloadListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

  /** How long the detector must stay NORMAL before peers are withdrawn, unless configured. */
  public static final Duration DEFAULT_COOL_DOWN = Duration.ofMinutes(2);
  /** The pause between activation waves, unless configured. */
  public static final Duration DEFAULT_WAVE_INTERVAL = Duration.ofSeconds(2);
  /** How often the static source is checked for changes, unless configured. */
  public static final Duration DEFAULT_RESTAGE_INTERVAL = Duration.ofSeconds(30);
  /** How long one control call to a peer may take (uploads excepted), unless configured. */
  public static final Duration DEFAULT_PEER_CALL_TIMEOUT = Duration.ofSeconds(5);
  /** The first wait after a failed peer call or DNS update. */
  public static final Duration MIN_RETRY_BACKOFF = Duration.ofSeconds(1);
  /** The longest wait between attempts. */
  public static final Duration MAX_RETRY_BACKOFF = Duration.ofMinutes(1);
  /** How many attempts a retirement gets before the peer is left alone (it is out of DNS already). */
  public static final int RETIRE_ATTEMPTS = 5;

  private static final Duration TICK = Duration.ofMillis(100);
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
  private static final int RECENT_STEPS = 100;

  private final String site;
  private final PrivateKey siteKey;
  private final StaticSource source;
  private final List<DynamicRoute> routes;
  private final Optional<DnsSettings> dnsSettings;
  private final Optional<DnsUpdater> dns;
  private final Path bundleDirectory;
  private final Duration coolDown;
  private final Duration waveInterval;
  private final Duration restageInterval;
  private final Clock clock;
  private final DoubleSupplier withdrawalRateLimit;
  private final List<Replica> replicas = new ArrayList<>();
  private final ScheduledExecutorService loop;
  private final ExecutorService peerCalls;
  private final Deque<ReplicationStatus.Step> steps = new ArrayDeque<>();

  private volatile OverloadState detectorState = OverloadState.NORMAL;
  private volatile ReplicationStatus status;
  private volatile boolean closed;

  // Everything below is touched only on the xeno-replicator thread.
  private ReplicationPhase phase = ReplicationPhase.CALM;
  private Optional<Bundle> bundle = Optional.empty();
  private List<SourceFile> builtFrom; // the listing last built (or tried); null before the first
  private Instant nextSourceCheck = Instant.MIN;
  private int wave;
  private Instant nextWaveAt = Instant.MIN;
  private Instant calmSince = Instant.MIN;
  private Instant drainUntil = Instant.MIN;
  private boolean originSheltered;
  private boolean dnsChecked;
  private int dnsFailuresInRow;
  private Instant nextDnsAttempt = Instant.MIN;
  private long dnsUpdates;
  private long dnsFailures;
  private boolean restageRequested;
  private boolean toldPeersBusy;

  /** A built bundle file and its version. */
  private record Bundle(long version, Path file, Instant builtAt) {}

  private Replicator(Builder builder) throws IOException {
    this.site = builder.site;
    this.siteKey = builder.siteKey;
    this.source = builder.source;
    this.routes = List.copyOf(builder.routes);
    this.dnsSettings = builder.dns;
    this.bundleDirectory = builder.bundleDirectory;
    this.coolDown = builder.coolDown;
    this.waveInterval = builder.waveInterval;
    this.restageInterval = builder.restageInterval;
    this.clock = builder.clock;
    this.withdrawalRateLimit = builder.withdrawalRateLimit;
    Files.createDirectories(bundleDirectory);
    for (PeerSpec spec : builder.peers) {
      PeerClient.Builder client = PeerClient.builder(spec.controlUrl(), site, siteKey)
          .callTimeout(builder.peerCallTimeout)
          .connectTimeout(builder.peerCallTimeout)
          .maxUploadBytesPerSecond(builder.maxUploadBytesPerSecond);
      builder.sslContext.ifPresent(client::sslContext);
      replicas.add(new Replica(spec, client.build()));
    }
    this.dns = builder.dnsUpdater.or(() -> dnsSettings.map(DnsSettings::updater));
    this.loop = Executors.newSingleThreadScheduledExecutor(named("xeno-replicator", false));
    this.peerCalls = Executors.newFixedThreadPool(Math.max(1, Math.min(8, replicas.size())),
        named("xeno-replicator-peer-", true));
    publish();
  }

  /**
   * A builder for the replicator of {@code site}, whose bundles {@code siteKey} signs and whose
   * static files come from {@code source}.
   */
  public static Builder builder(String site, PrivateKey siteKey, StaticSource source) {
    return new Builder(site, siteKey, source);
  }

  /** Starts the replicator's thread: it builds the first bundle and stages it on every peer. */
  public Replicator start() {
    loop.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Takes the detector's state; the replicator acts on it on its own thread. */
  @Override
  public void onEvent(OverloadEvent event) {
    detectorState = event.current();
    wake();
  }

  /** Rebuilds the bundle now if the static source changed, instead of at the next periodic check. */
  public void restage() {
    loop.execute(() -> {
      restageRequested = true;
      tick();
    });
  }

  /** What the replicator is doing now. */
  public ReplicationStatus status() {
    return status;
  }

  /**
   * Stops the threads and closes the peer clients and the DNS updater. Peers in DNS stay there (the
   * site keeps being served); the next start adopts and withdraws them.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.shutdownNow();
    peerCalls.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
      peerCalls.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long inDns = replicas.stream().filter(replica -> replica.inDns).count();
    if (inDns > 0) {
      LOG.warn("replicator of {} closed with {} peers still in DNS; the next start withdraws them after the cool-down",
          site, inDns);
    }
    replicas.forEach(replica -> replica.client.close());
    dns.ifPresent(DnsUpdater::close);
  }

  private void wake() {
    if (!closed) {
      try {
        loop.execute(this::tick);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      Instant now = clock.instant();
      replicas.forEach(replica -> replica.collect(now));
      replicas.forEach(replica -> replica.collectPoll(now));
      adoptLeftovers(now);
      checkSource(now);
      OverloadState detector = detectorState;
      boolean flood = detector == OverloadState.SURGING || detector == OverloadState.OVERLOADED;
      switch (phase) {
        case CALM -> {
          if (flood) {
            startDefending(now, detector);
          } else {
            keepStaged(now);
          }
        }
        case DEFENDING -> {
          if (detector == OverloadState.NORMAL) {
            phase = ReplicationPhase.COOLING;
            calmSince = now;
            toldPeersBusy = false;
            step(now, "detector is NORMAL again; withdrawing peers after a cool-down of " + coolDown.toSeconds() + " s");
          } else {
            defend(now, flood);
          }
        }
        case COOLING -> {
          if (detector != OverloadState.NORMAL) {
            phase = ReplicationPhase.DEFENDING;
            step(now, "detector is " + detector + " again during the cool-down; still defending");
            defend(now, flood);
          } else {
            pollPeersInDns(now);
            if (!now.isBefore(calmSince.plus(coolDown)) && peersCalm(now)) {
              withdraw(now);
            } else {
              addConfirmedToDns(now);
            }
          }
        }
        case DRAINING -> {
          if (flood) {
            startDefending(now, detector);
          } else {
            drain(now);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.error("replicator of {} failed a step; trying again on the next tick", site, e);
    }
    publish();
  }

  private void startDefending(Instant now, OverloadState detector) {
    phase = ReplicationPhase.DEFENDING;
    wave = 0;
    nextWaveAt = now;
    step(now, "detector is " + detector + "; activating peers in waves");
    // Peers still draining from the last flood serve already: they go straight back into DNS.
    replicas.stream().filter(replica -> replica.state == ReplicaState.DRAINING && replica.idle())
        .forEach(replica -> replica.state = ReplicaState.SERVING);
    defend(now, true);
  }

  /** Activates the next wave when it is due, and puts confirmed peers into DNS. */
  private void defend(Instant now, boolean flood) {
    Optional<Bundle> current = bundle;
    if (current.isEmpty()) {
      return;
    }
    long version = current.get().version();
    boolean activating = replicas.stream().anyMatch(replica -> replica.state == ReplicaState.ACTIVATING);
    if (!activating) {
      // Peers that serve an older version than the current bundle (the site changed mid-flood) move on.
      for (Replica replica : replicas) {
        if (replica.isServing() && replica.activeVersion < version && replica.idle()) {
          activate(replica, current.get(), now, replica.state);
        }
      }
      addConfirmedToDns(now);
    }
    if (flood && !activating && !now.isBefore(nextWaveAt)) {
      int size = 1 << Math.min(wave, 16);
      List<Replica> candidates = replicas.stream()
          .filter(replica -> !replica.isServing() && replica.idle() && replica.eligible(now))
          .sorted(Comparator.comparing((Replica replica) -> replica.stagedVersion != version)
              .thenComparing(replica -> -replica.spec.weight()))
          .limit(size)
          .toList();
      if (!candidates.isEmpty()) {
        wave++;
        nextWaveAt = now.plus(waveInterval);
        step(now, "wave " + wave + ": activating " + names(candidates) + " with version " + version);
        candidates.forEach(replica -> activate(replica, current.get(), now, ReplicaState.SERVING));
      }
    }
  }

  /** Adds every peer that confirmed it serves, and is not in DNS yet, in one UPDATE. */
  private void addConfirmedToDns(Instant now) {
    List<Replica> confirmed = replicas.stream()
        .filter(replica -> replica.state == ReplicaState.SERVING && !replica.inDns)
        .toList();
    if (confirmed.isEmpty()) {
      return;
    }
    if (dnsSettings.isEmpty()) {
      confirmed.forEach(replica -> replica.enterDns());
      step(now, names(confirmed) + " serve the site (no DNS configured: clients must be sent to them otherwise)");
      return;
    }
    if (now.isBefore(nextDnsAttempt)) {
      return;
    }
    DnsSettings settings = dnsSettings.get();
    Set<InetAddress> add = new LinkedHashSet<>();
    confirmed.forEach(replica -> add.addAll(replica.spec.servingAddresses()));
    List<InetAddress> remove = settings.shelterOrigin() && !originSheltered ? settings.originAddresses() : List.of();
    if (dnsUpdate(now, add, remove, "add " + names(confirmed) + (remove.isEmpty() ? "" : " and shelter the origin"))) {
      confirmed.forEach(Replica::enterDns);
      if (!remove.isEmpty()) {
        originSheltered = true;
      }
    }
  }

  /** Asks every peer in DNS, about once a second, how many requests it has served. */
  private void pollPeersInDns(Instant now) {
    for (Replica replica : replicas) {
      if (replica.inDns && replica.poll == null
          && (replica.polledAt == null || !now.isBefore(replica.polledAt.plus(POLL_INTERVAL)))) {
        replica.poll = CompletableFuture.supplyAsync(() -> {
          try {
            return replica.client.status();
          } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        }, peerCalls);
        replica.poll.whenComplete((status, error) -> wake());
      }
    }
  }

  /**
   * Whether the peers in DNS together serve few enough requests that the origin could take them
   * calmly: each must have a fresh rate (or be unreachable, which counts as serving nothing).
   */
  private boolean peersCalm(Instant now) {
    double total = 0;
    for (Replica replica : replicas) {
      if (!replica.inDns) {
        continue;
      }
      if (replica.rateAt == null || now.isAfter(replica.rateAt.plus(POLL_INTERVAL.multipliedBy(3)))) {
        return false;
      }
      total += replica.requestsPerSecond;
    }
    double limit = withdrawalRateLimit.getAsDouble();
    if (total <= limit) {
      return true;
    }
    if (!toldPeersBusy) {
      toldPeersBusy = true;
      step(now, String.format(java.util.Locale.ROOT, "cool-down over, but the peers still serve %.0f requests/s"
          + " together, more than the origin takes calmly (%.0f/s): the flood goes on at them; keeping them",
          total, limit));
    }
    return false;
  }

  /** Takes every peer out of DNS in one UPDATE (and puts the origin back), then drains. */
  private void withdraw(Instant now) {
    List<Replica> inDns = replicas.stream().filter(replica -> replica.inDns).toList();
    if (dnsSettings.isPresent() && (!inDns.isEmpty() || originSheltered)) {
      if (now.isBefore(nextDnsAttempt)) {
        return;
      }
      DnsSettings settings = dnsSettings.get();
      Set<InetAddress> remove = new LinkedHashSet<>();
      inDns.forEach(replica -> remove.addAll(replica.spec.servingAddresses()));
      List<InetAddress> add = originSheltered ? settings.originAddresses() : List.of();
      if (!dnsUpdate(now, add, remove, "withdraw " + names(inDns) + (add.isEmpty() ? "" : " and restore the origin"))) {
        return;
      }
      originSheltered = false;
    }
    inDns.forEach(Replica::leaveDns);
    Duration drain = dnsSettings.map(settings -> settings.ttl().multipliedBy(2)).orElse(Duration.ZERO);
    drainUntil = now.plus(drain);
    phase = ReplicationPhase.DRAINING;
    step(now, "peers left DNS; they keep serving for " + drain.toSeconds() + " s (2 x TTL) before retiring");
  }

  /** Retires the draining peers once twice the TTL has passed, then goes back to calm. */
  private void drain(Instant now) {
    if (now.isBefore(drainUntil)) {
      return;
    }
    boolean busy = false;
    for (Replica replica : replicas) {
      if (!replica.idle()) {
        busy = true;
      } else if (replica.isServing() && replica.idle()) {
        if (replica.retireAttempts >= RETIRE_ATTEMPTS) {
          if (replica.state != ReplicaState.FAILED) {
            step(now, "giving up retiring " + replica.spec.name() + " after " + RETIRE_ATTEMPTS
                + " attempts; it is out of DNS, retire it by hand");
            replica.abandon();
          }
        } else if (replica.eligible(now)) {
          retire(replica, now);
          busy = true;
        } else {
          busy = true;
        }
      }
    }
    if (!busy) {
      phase = ReplicationPhase.CALM;
      wave = 0;
      step(now, "flood over: every peer retired, back to calm");
    }
  }

  /** In calm times, pushes the current bundle to every peer that lacks it. */
  private void keepStaged(Instant now) {
    Optional<Bundle> current = bundle;
    if (current.isEmpty()) {
      return;
    }
    for (Replica replica : replicas) {
      if (replica.idle() && replica.eligible(now) && replica.stagedVersion < current.get().version()
          && !replica.isServing()) {
        stage(replica, current.get(), now);
      }
    }
  }

  /** Rebuilds the bundle when the static source changed (checked every restage interval). */
  private void checkSource(Instant now) {
    if (!restageRequested && now.isBefore(nextSourceCheck)) {
      return;
    }
    restageRequested = false;
    nextSourceCheck = now.plus(restageInterval);
    List<SourceFile> files;
    try {
      files = List.copyOf(source.files());
    } catch (IOException | RuntimeException e) {
      step(now, "cannot list the static source " + source.describe() + ": " + e.getMessage() + "; keeping the bundle");
      return;
    }
    if (files.equals(builtFrom)) {
      return;
    }
    long version = Math.max(bundle.map(b -> b.version() + 1).orElse(0L), clock.millis());
    Path file = bundleDirectory.resolve(version + ".xsb");
    try {
      BundleBuilder builder = BundleBuilder.forSite(site).source(source).signingKey(siteKey).version(version)
          .created(now);
      routes.forEach(builder::dynamicRoute);
      BuildResult result = builder.build(file);
      Optional<Bundle> previous = bundle;
      bundle = Optional.of(new Bundle(version, file, now));
      builtFrom = files;
      step(now, "built bundle v" + version + ": " + result.manifest().files().size() + " files, "
          + result.bundleBytes() + " bytes");
      previous.ifPresent(this::deleteWhenUnused);
    } catch (IOException | RuntimeException e) {
      builtFrom = files;
      step(now, "cannot build the bundle from " + source.describe() + ": " + e.getMessage()
          + "; keeping the last one until the files change");
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /** Deletes an old bundle file once no push reads it any more. */
  private void deleteWhenUnused(Bundle old) {
    CompletableFuture<?>[] running = replicas.stream().map(replica -> replica.operation)
        .filter(Objects::nonNull).toArray(CompletableFuture<?>[]::new);
    CompletableFuture.allOf(running).whenComplete((ignored, error) -> {
      try {
        Files.deleteIfExists(old.file());
      } catch (IOException e) {
        LOG.warn("cannot delete the old bundle {}: {}", old.file(), e.toString());
      }
    });
  }

  /**
   * On the first tick, reads the DNS name: pool addresses already there (left by a previous run)
   * are adopted as peers in DNS, to be withdrawn after the cool-down.
   */
  private void adoptLeftovers(Instant now) {
    if (dnsChecked || dns.isEmpty()) {
      return;
    }
    if (phase != ReplicationPhase.CALM || replicas.stream().anyMatch(replica -> replica.inDns)) {
      dnsChecked = true; // a flood came first: what is in the name now is this run's own doing
      return;
    }
    if (now.isBefore(nextDnsAttempt)) {
      return;
    }
    DnsSettings settings = dnsSettings.orElseThrow();
    AddressSet current;
    try {
      current = dns.get().show(settings.name());
    } catch (DnsUpdateException e) {
      dnsFailed(now, "read " + settings.name(), e);
      return;
    }
    dnsChecked = true;
    dnsFailuresInRow = 0;
    nextDnsAttempt = Instant.MIN;
    List<Replica> left = replicas.stream()
        .filter(replica -> replica.spec.servingAddresses().stream().anyMatch(current.addresses()::contains))
        .toList();
    if (left.isEmpty()) {
      return;
    }
    left.forEach(Replica::adopt);
    originSheltered = settings.shelterOrigin()
        && settings.originAddresses().stream().noneMatch(current.addresses()::contains);
    phase = ReplicationPhase.COOLING;
    calmSince = now;
    toldPeersBusy = false;
    step(now, names(left) + " were still in DNS from an earlier run; withdrawing them after the cool-down");
  }

  private boolean dnsUpdate(Instant now, Collection<InetAddress> add, Collection<InetAddress> remove, String what) {
    DnsSettings settings = dnsSettings.orElseThrow();
    try {
      dns.orElseThrow().update(settings.name(), add, remove, settings.ttl());
      dnsUpdates++;
      dnsFailuresInRow = 0;
      nextDnsAttempt = Instant.MIN;
      step(now, "DNS: " + what + " (" + settings.name() + " +" + add + " -" + remove + ", TTL "
          + settings.ttl().toSeconds() + " s)");
      return true;
    } catch (DnsUpdateException e) {
      dnsFailed(now, what, e);
      return false;
    }
  }

  private void dnsFailed(Instant now, String what, DnsUpdateException e) {
    dnsFailures++;
    dnsFailuresInRow++;
    Duration backoff = backoff(dnsFailuresInRow);
    nextDnsAttempt = now.plus(backoff);
    step(now, "DNS: cannot " + what + " (" + e.reason() + ": " + e.getMessage() + "); retrying in "
        + backoff.toMillis() + " ms");
  }

  private void stage(Replica replica, Bundle current, Instant now) {
    replica.begin(ReplicaState.STAGING, now, () -> {
      replica.client.push(current.file(), false, PeerClient.ProgressListener.NONE);
      return new Outcome(current.version(), OptionalLong.empty(), "staged v" + current.version());
    }, ReplicaState.FAILED);
  }

  private void activate(Replica replica, Bundle current, Instant now, ReplicaState onFailure) {
    long version = current.version();
    boolean staged = replica.stagedVersion >= version;
    replica.begin(ReplicaState.ACTIVATING, now, () -> {
      if (!staged) {
        replica.client.push(current.file(), false, PeerClient.ProgressListener.NONE);
      }
      replica.client.activate(version);
      SiteStatus confirmed = replica.client.status();
      long active = confirmed.activeVersion().orElse(-1);
      if (active != version) {
        throw new IOException("the peer was told to serve v" + version + " but says it serves "
            + (active < 0 ? "nothing" : "v" + active));
      }
      return new Outcome(version, OptionalLong.of(version), "serves v" + version + " (confirmed)");
    }, onFailure == ReplicaState.SERVING ? ReplicaState.FAILED : onFailure);
  }

  private void retire(Replica replica, Instant now) {
    replica.retireAttempts++;
    long staged = replica.stagedVersion;
    replica.begin(ReplicaState.RETIRING, now, () -> {
      replica.client.retire();
      return new Outcome(staged, OptionalLong.empty(), "retired");
    }, ReplicaState.DRAINING);
  }

  private void step(Instant now, String message) {
    LOG.info("{}: {}", site, message);
    synchronized (steps) {
      steps.addLast(new ReplicationStatus.Step(now, message));
      while (steps.size() > RECENT_STEPS) {
        steps.removeFirst();
      }
    }
  }

  private void publish() {
    List<ReplicaStatus> peers = new ArrayList<>();
    List<InetAddress> inDns = new ArrayList<>();
    for (Replica replica : replicas) {
      peers.add(replica.status());
      if (replica.inDns) {
        inDns.addAll(replica.spec.servingAddresses());
      }
    }
    List<ReplicationStatus.Step> recent;
    synchronized (steps) {
      recent = List.copyOf(steps);
    }
    Optional<Bundle> current = bundle;
    status = new ReplicationStatus(phase, detectorState,
        current.map(b -> OptionalLong.of(b.version())).orElse(OptionalLong.empty()),
        current.map(Bundle::builtAt), wave, peers, inDns, originSheltered, dnsUpdates, dnsFailures, recent);
  }

  private static Duration backoff(int failuresInRow) {
    long millis = MIN_RETRY_BACKOFF.toMillis() << Math.min(failuresInRow - 1, 20);
    return Duration.ofMillis(Math.min(millis, MAX_RETRY_BACKOFF.toMillis()));
  }

  private static String names(List<Replica> list) {
    return list.stream().map(replica -> replica.spec.name()).toList().toString();
  }

  private static ThreadFactory named(String name, boolean numbered) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, numbered ? name + count.incrementAndGet() : name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** What a finished peer call found. */
  private record Outcome(long stagedVersion, OptionalLong activeVersion, String message) {}

  /** A call to a peer that may fail. */
  private interface PeerCall {
    Outcome call() throws IOException;
  }

  /** One peer of the pool and what the replicator knows of it. */
  private final class Replica {
    final PeerSpec spec;
    final PeerClient client;
    ReplicaState state = ReplicaState.NEW;
    long stagedVersion = -1;
    long activeVersion = -1;
    boolean inDns;
    int failures;
    int retireAttempts;
    Optional<String> lastError = Optional.empty();
    Instant nextAttempt = Instant.MIN;
    CompletableFuture<Outcome> operation;
    ReplicaState onFailure = ReplicaState.NEW;
    CompletableFuture<SiteStatus> poll;
    Instant polledAt;
    long requestsSeen = -1;
    Instant rateAt;
    double requestsPerSecond;

    Replica(PeerSpec spec, PeerClient client) {
      this.spec = spec;
      this.client = client;
    }

    boolean idle() {
      return operation == null;
    }

    boolean eligible(Instant now) {
      return !now.isBefore(nextAttempt);
    }

    /** Whether the peer serves the site (confirmed, in DNS or draining). */
    boolean isServing() {
      return state == ReplicaState.SERVING || state == ReplicaState.IN_DNS || state == ReplicaState.DRAINING
          || state == ReplicaState.RETIRING || (state == ReplicaState.FAILED && activeVersion >= 0);
    }

    void begin(ReplicaState running, Instant now, PeerCall call, ReplicaState failedState) {
      this.onFailure = failedState;
      this.state = running;
      this.operation = CompletableFuture.supplyAsync(() -> {
        try {
          return call.call();
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, peerCalls);
      this.operation.whenComplete((outcome, error) -> wake());
    }

    /** Takes the result of a finished call. */
    void collect(Instant now) {
      if (operation == null || !operation.isDone()) {
        return;
      }
      CompletableFuture<Outcome> done = operation;
      ReplicaState running = state;
      operation = null;
      try {
        Outcome outcome = done.join();
        failures = 0;
        nextAttempt = Instant.MIN;
        lastError = Optional.empty();
        stagedVersion = Math.max(stagedVersion, outcome.stagedVersion());
        switch (running) {
          case STAGING -> state = ReplicaState.STAGED;
          case ACTIVATING -> {
            activeVersion = outcome.activeVersion().orElse(activeVersion);
            state = inDns ? ReplicaState.IN_DNS : ReplicaState.SERVING;
          }
          case RETIRING -> {
            activeVersion = -1;
            retireAttempts = 0;
            state = ReplicaState.STAGED;
          }
          default -> state = ReplicaState.STAGED;
        }
        step(now, spec.name() + " " + outcome.message());
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        failures++;
        Duration backoff = backoff(failures);
        nextAttempt = now.plus(backoff);
        lastError = Optional.of(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        state = onFailure;
        step(now, spec.name() + " failed while " + running.name().toLowerCase(java.util.Locale.ROOT) + ": "
            + lastError.get() + "; skipped, next attempt in " + backoff.toMillis() + " ms");
      }
    }

    /** Takes the answer of a finished status poll: the peer's request rate since the last one. */
    void collectPoll(Instant now) {
      if (poll == null || !poll.isDone()) {
        return;
      }
      CompletableFuture<SiteStatus> done = poll;
      poll = null;
      Instant previous = polledAt;
      polledAt = now;
      try {
        long requests = done.join().requests();
        if (requestsSeen >= 0 && previous != null && now.isAfter(previous)) {
          requestsPerSecond = Math.max(0, requests - requestsSeen) * 1000.0
              / Math.max(1, Duration.between(previous, now).toMillis());
          rateAt = now;
        }
        requestsSeen = requests;
      } catch (RuntimeException e) {
        requestsPerSecond = 0; // an unreachable peer serves nobody: it must not hold the others back
        rateAt = now;
      }
    }

    void enterDns() {
      inDns = true;
      state = ReplicaState.IN_DNS;
    }

    void leaveDns() {
      inDns = false;
      state = ReplicaState.DRAINING;
    }

    void adopt() {
      inDns = true;
      activeVersion = Math.max(activeVersion, 0);
      state = ReplicaState.IN_DNS;
    }

    void abandon() {
      activeVersion = -1;
      retireAttempts = 0;
      state = ReplicaState.FAILED;
    }

    ReplicaStatus status() {
      return new ReplicaStatus(spec.name(), spec.region(), state,
          stagedVersion < 0 ? OptionalLong.empty() : OptionalLong.of(stagedVersion),
          activeVersion < 0 ? OptionalLong.empty() : OptionalLong.of(activeVersion), inDns, failures, lastError,
          nextAttempt.equals(Instant.MIN) ? Optional.empty() : Optional.of(nextAttempt));
    }
  }

  /** Configures a {@link Replicator}; every setter checks its value. */
  public static final class Builder {
    private final String site;
    private final PrivateKey siteKey;
    private final StaticSource source;
    private List<DynamicRoute> routes = List.of();
    private List<PeerSpec> peers = List.of();
    private Optional<DnsSettings> dns = Optional.empty();
    private Optional<DnsUpdater> dnsUpdater = Optional.empty();
    private Path bundleDirectory;
    private Duration coolDown = DEFAULT_COOL_DOWN;
    private Duration waveInterval = DEFAULT_WAVE_INTERVAL;
    private Duration restageInterval = DEFAULT_RESTAGE_INTERVAL;
    private Duration peerCallTimeout = DEFAULT_PEER_CALL_TIMEOUT;
    private long maxUploadBytesPerSecond;
    private Optional<SSLContext> sslContext = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private DoubleSupplier withdrawalRateLimit = () -> Double.POSITIVE_INFINITY;

    private Builder(String site, PrivateKey siteKey, StaticSource source) {
      this.site = Objects.requireNonNull(site, "site");
      this.siteKey = Objects.requireNonNull(siteKey, "siteKey");
      this.source = Objects.requireNonNull(source, "source");
    }

    /** The dynamic routes the bundle carries. */
    public Builder routes(List<DynamicRoute> value) {
      this.routes = List.copyOf(value);
      return this;
    }

    /** The peer pool. */
    public Builder peers(List<PeerSpec> value) {
      this.peers = List.copyOf(value);
      long names = value.stream().map(PeerSpec::name).distinct().count();
      if (names != value.size()) {
        throw new IllegalArgumentException("peer names must be unique, but got " + value.stream().map(PeerSpec::name)
            .toList());
      }
      return this;
    }

    /** How the site's DNS name is changed; without it, peers are activated but no DNS is touched. */
    public Builder dns(DnsSettings value) {
      this.dns = Optional.of(value);
      return this;
    }

    /**
     * Sends the DNS changes through {@code updater} instead of the {@link org.xenoservice.dns.Rfc2136DnsUpdater}
     * that {@link #dns(DnsSettings)} would build from the settings' servers and TSIG key. The settings
     * are still required: they give the name, the TTL and the origin's addresses; their servers and
     * key are then unused. For a site whose DNS provider takes changes some other way than RFC 2136,
     * and for demonstrations that keep the records in memory. The replicator closes the updater
     * when it is closed.
     */
    public Builder dnsUpdater(DnsUpdater updater) {
      this.dnsUpdater = Optional.of(Objects.requireNonNull(updater, "dnsUpdater"));
      return this;
    }

    /** Where bundles are built (required). */
    public Builder bundleDirectory(Path value) {
      this.bundleDirectory = Objects.requireNonNull(value, "bundleDirectory");
      return this;
    }

    /** How long the detector must stay NORMAL before withdrawal; {@link #DEFAULT_COOL_DOWN} by default. */
    public Builder coolDown(Duration value) {
      this.coolDown = positive("coolDown", value);
      return this;
    }

    /** The pause between activation waves; {@link #DEFAULT_WAVE_INTERVAL} by default. */
    public Builder waveInterval(Duration value) {
      this.waveInterval = positive("waveInterval", value);
      return this;
    }

    /** How often the static source is checked for changes; {@link #DEFAULT_RESTAGE_INTERVAL} by default. */
    public Builder restageInterval(Duration value) {
      this.restageInterval = positive("restageInterval", value);
      return this;
    }

    /** How long one control call to a peer may take; {@link #DEFAULT_PEER_CALL_TIMEOUT} by default. */
    public Builder peerCallTimeout(Duration value) {
      this.peerCallTimeout = positive("peerCallTimeout", value);
      return this;
    }

    /** The most bytes per second a push sends to one peer; 0 (the default) is unlimited. */
    public Builder maxUploadBytesPerSecond(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("maxUploadBytesPerSecond must not be negative, was " + value);
      }
      this.maxUploadBytesPerSecond = value;
      return this;
    }

    /** The TLS context for peers' {@code https} control URLs; the JDK default otherwise. */
    public Builder sslContext(SSLContext value) {
      this.sslContext = Optional.of(value);
      return this;
    }

    /**
     * The most requests per second the peers in DNS may still serve together for them to be
     * withdrawn after the cool-down: while the flood still hits them (the origin, sheltered, sees
     * nothing of it), sending it back would only overload the origin again. {@code XenoService}
     * gives the detector's calm limit (its surge threshold times the exit factor); unlimited by
     * default, which withdraws on the detector alone.
     */
    public Builder withdrawalRateLimit(DoubleSupplier requestsPerSecond) {
      this.withdrawalRateLimit = Objects.requireNonNull(requestsPerSecond, "withdrawalRateLimit");
      return this;
    }

    /** The clock for timestamps and bundle versions; the system clock by default. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Builds the replicator (not started).
     *
     * @throws IOException if the bundle directory cannot be created
     */
    public Replicator build() throws IOException {
      if (bundleDirectory == null) {
        throw new IllegalStateException("bundleDirectory is required: where the replicator builds bundles");
      }
      if (dnsUpdater.isPresent() && dns.isEmpty()) {
        throw new IllegalStateException("a dnsUpdater needs dns(DnsSettings) too: the settings give the name, the TTL"
            + " and the origin's addresses that the updater changes");
      }
      return new Replicator(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
