package org.xenoservice.peer;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.xenoservice.peer.PeerSettingException.Setting;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.xenoservice.key.SiteKeys;

/**
 * How a peer host is set up: its two ports, the address it binds, where it stores blobs and state,
 * the largest upload it takes, optional TLS, and the sites its operator enrolled. Immutable; make
 * one with {@link #builder()} or read one from a properties file with {@link #load(Path)}.
 *
 * <pre>{@code
 * # peer.properties
 * serving-port = 8080
 * control-port = 8081
 * store-directory = /var/lib/xenoservice
 * site.books.example.key = keys/books.example.pub
 * site.books.example.max-stored-bytes = 536870912
 * site.books.example.requests-per-second = 500
 * }</pre>
 *
 * <p>Properties: {@code serving-port} ({@value #DEFAULT_SERVING_PORT}), {@code control-port}
 * ({@value #DEFAULT_CONTROL_PORT}), {@code bind-address} ({@value #DEFAULT_BIND_ADDRESS}),
 * {@code store-directory} (required), {@code max-upload-bytes} ({@link #DEFAULT_MAX_UPLOAD_BYTES}),
 * {@code bandwidth-bytes-per-second} (0: unlimited),
 * {@code tls.keystore} with {@code tls.password} or {@code tls.password-file}, and for each site
 * {@code site.<host>.key} (a PEM public key file) or {@code site.<host>.key-pem} (the PEM text),
 * {@code site.<host>.max-stored-bytes}, {@code site.<host>.requests-per-second} and
 * {@code site.<host>.bandwidth-share} (defaults from {@link SiteQuota#DEFAULT}),
 * {@code site.<host>.allowed-origins} (comma-separated origins the site's proxy and capture routes
 * may reach; none by default). Relative paths are
 * taken from the file's folder. A property the peer does not know is an error, so that a typo never
 * silently leaves a default in place.
 */
public final class PeerConfig {
  /** The default serving port. */
  public static final int DEFAULT_SERVING_PORT = 8080;
  /** The default control port. */
  public static final int DEFAULT_CONTROL_PORT = 8081;
  /** The default bind address: every interface. */
  public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
  /** The default largest upload: 1 GiB. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;

  private static final String SERVING_PORT = "serving-port";
  private static final String CONTROL_PORT = "control-port";
  private static final String BIND_ADDRESS = "bind-address";
  private static final String STORE_DIRECTORY = "store-directory";
  private static final String MAX_UPLOAD_BYTES = "max-upload-bytes";
  private static final String BANDWIDTH = "bandwidth-bytes-per-second";
  private static final String TLS_KEYSTORE = "tls.keystore";
  private static final String TLS_PASSWORD = "tls.password";
  private static final String TLS_PASSWORD_FILE = "tls.password-file";
  private static final List<String> SETTINGS = List.of(SERVING_PORT, CONTROL_PORT, BIND_ADDRESS, STORE_DIRECTORY,
      MAX_UPLOAD_BYTES, BANDWIDTH, TLS_KEYSTORE, TLS_PASSWORD, TLS_PASSWORD_FILE);
  private static final String KEY = "key";
  private static final String KEY_PEM = "key-pem";
  private static final String MAX_STORED_BYTES = "max-stored-bytes";
  private static final String REQUESTS_PER_SECOND = "requests-per-second";
  private static final String BANDWIDTH_SHARE = "bandwidth-share";
  private static final String ALLOWED_ORIGINS = "allowed-origins";
  private static final List<String> SITE_SETTINGS = List.of(KEY, KEY_PEM, MAX_STORED_BYTES, REQUESTS_PER_SECOND,
      BANDWIDTH_SHARE, ALLOWED_ORIGINS);
  private static final Pattern HOST = Pattern.compile(
      "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,15})?");
  private static final long MAX_CONFIG_BYTES = 1 << 20;
  private static final long MAX_PASSWORD_FILE_BYTES = 4096;

  private final int servingPort;
  private final int controlPort;
  private final String bindAddress;
  private final Path storeDirectory;
  private final long maxUploadBytes;
  private final long bandwidthBytesPerSecond;
  private final Optional<Path> tlsKeystore;
  private final char[] tlsPassword;
  private final List<Enrollment> enrollments;

  private PeerConfig(Builder builder) {
    this.servingPort = builder.servingPort;
    this.controlPort = builder.controlPort;
    this.bindAddress = builder.bindAddress;
    this.storeDirectory = builder.storeDirectory;
    this.maxUploadBytes = builder.maxUploadBytes;
    this.bandwidthBytesPerSecond = builder.bandwidthBytesPerSecond;
    this.tlsKeystore = builder.tlsKeystore;
    this.tlsPassword = builder.tlsPassword.clone();
    this.enrollments = List.copyOf(builder.enrollments.values());
  }

  /** Starts a configuration with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a configuration from a properties file (UTF-8).
   *
   * @throws PeerConfigException if the file cannot be read, holds an unknown property or a bad value,
   *     or lacks the store directory or any site
   */
  public static PeerConfig load(Path propertiesFile) throws IOException {
    Builder builder = builder().load(propertiesFile);
    try {
      return builder.build();
    } catch (PeerSettingException e) {
      throw new PeerConfigException(propertiesFile, e.setting().propertyName(), e.problem(), e);
    }
  }

  /** The port that serves the sites; 0 picks a free one. */
  public int servingPort() {
    return servingPort;
  }

  /** The port of the signed control protocol; 0 picks a free one. */
  public int controlPort() {
    return controlPort;
  }

  /** The address both ports listen on. */
  public String bindAddress() {
    return bindAddress;
  }

  /** Where blobs and state are stored. */
  public Path storeDirectory() {
    return storeDirectory;
  }

  /** The largest bundle upload accepted. */
  public long maxUploadBytes() {
    return maxUploadBytes;
  }

  /**
   * The peer's outgoing bandwidth that the sites' {@link SiteQuota#bandwidthShare() shares} divide,
   * bytes per second; 0 (the default) leaves bandwidth unlimited and the shares unenforced.
   */
  public long bandwidthBytesPerSecond() {
    return bandwidthBytesPerSecond;
  }

  /** The PKCS#12 key store for TLS on both ports, empty for plain HTTP. */
  public Optional<Path> tlsKeystore() {
    return tlsKeystore;
  }

  /** A copy of the key store's password (empty without TLS); the caller should clear it after use. */
  public char[] tlsPassword() {
    return tlsPassword.clone();
  }

  /** The enrolled sites, in the order they were given. */
  public List<Enrollment> enrollments() {
    return enrollments;
  }

  /** A builder holding this configuration, to change some of it. */
  public Builder toBuilder() {
    Builder builder = builder().servingPort(servingPort).controlPort(controlPort).bindAddress(bindAddress)
        .storeDirectory(storeDirectory).maxUploadBytes(maxUploadBytes)
        .bandwidthBytesPerSecond(bandwidthBytesPerSecond).enrollments(enrollments);
    tlsKeystore.ifPresent(keystore -> builder.tls(keystore, tlsPassword));
    return builder;
  }

  /** Everything but the TLS password. */
  @Override
  public String toString() {
    return "PeerConfig{servingPort=" + servingPort + ", controlPort=" + controlPort + ", bindAddress=" + bindAddress
        + ", storeDirectory=" + storeDirectory + ", maxUploadBytes=" + maxUploadBytes
        + ", bandwidthBytesPerSecond=" + bandwidthBytesPerSecond + ", tls="
        + tlsKeystore.map(path -> path + " (password hidden)").orElse("off") + ", sites="
        + enrollments.stream().map(Enrollment::site).toList() + "}";
  }

  /** Configures a {@link PeerConfig}; every setter checks its value and says what is wrong. */
  public static final class Builder {
    private int servingPort = DEFAULT_SERVING_PORT;
    private int controlPort = DEFAULT_CONTROL_PORT;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private Path storeDirectory;
    private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
    private long bandwidthBytesPerSecond;
    private Optional<Path> tlsKeystore = Optional.empty();
    private char[] tlsPassword = new char[0];
    private final Map<String, Enrollment> enrollments = new LinkedHashMap<>();

    private Builder() {}

    /** The serving port, 0 to 65535 (0: any free port); {@value #DEFAULT_SERVING_PORT} by default. */
    public Builder servingPort(int port) {
      this.servingPort = checkPort(Setting.SERVING_PORT, port);
      return this;
    }

    /** The control port, 0 to 65535 (0: any free port); {@value #DEFAULT_CONTROL_PORT} by default. */
    public Builder controlPort(int port) {
      this.controlPort = checkPort(Setting.CONTROL_PORT, port);
      return this;
    }

    /** The address to listen on (an IP literal or host name); {@value #DEFAULT_BIND_ADDRESS} by default. */
    public Builder bindAddress(String address) {
      Objects.requireNonNull(address, "address");
      if (address.isBlank() || !address.equals(address.strip()) || address.chars().anyMatch(Character::isWhitespace)) {
        throw PeerSettingException.invalid(Setting.BIND_ADDRESS,
            "must be an IP address or host name without spaces, but was '" + address + "'");
      }
      this.bindAddress = address;
      return this;
    }

    /** Where blobs and state are stored; required. */
    public Builder storeDirectory(Path directory) {
      this.storeDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** See {@link PeerConfig#bandwidthBytesPerSecond()}; 0 (unlimited) by default. */
    public Builder bandwidthBytesPerSecond(long bytes) {
      if (bytes < 0) {
        throw PeerSettingException.invalid(Setting.BANDWIDTH_BYTES_PER_SECOND,
            "must be 0 (unlimited) or positive, but was " + bytes);
      }
      this.bandwidthBytesPerSecond = bytes;
      return this;
    }

    /** The largest bundle upload accepted; {@link #DEFAULT_MAX_UPLOAD_BYTES} by default. */
    public Builder maxUploadBytes(long bytes) {
      if (bytes < 1) {
        throw PeerSettingException.invalid(Setting.MAX_UPLOAD_BYTES, "must be positive, but was " + bytes);
      }
      this.maxUploadBytes = bytes;
      return this;
    }

    /** Serves both ports over TLS with a PKCS#12 key store (the password is copied). */
    public Builder tls(Path keystore, char[] password) {
      this.tlsKeystore = Optional.of(Objects.requireNonNull(keystore, "keystore"));
      this.tlsPassword = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /**
     * Enrolls sites.
     *
     * @throws IllegalArgumentException if a site is enrolled already
     */
    public Builder enroll(Enrollment... sites) {
      return enrollments(Arrays.asList(sites));
    }

    /**
     * Enrolls sites.
     *
     * @throws IllegalArgumentException if a site is enrolled already
     */
    public Builder enrollments(Collection<Enrollment> sites) {
      for (Enrollment site : sites) {
        Objects.requireNonNull(site, "enrollment");
        if (enrollments.containsKey(site.site())) {
          throw PeerSettingException.invalid(Setting.ENROLLMENTS,
              "must name each site once, but " + site.site() + " is enrolled twice");
        }
        enrollments.put(site.site(), site);
      }
      return this;
    }

    /**
     * Applies the settings of a properties file (see {@link PeerConfig}) over this builder's;
     * relative paths in it are taken from its folder.
     *
     * @throws PeerConfigException if the file cannot be read, or holds an unknown property or a bad value
     */
    public Builder load(Path propertiesFile) throws IOException {
      new FileParser(propertiesFile, this).parse();
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws PeerSettingException without a store directory or an enrolled site (store-directory
     *     and site.&lt;host&gt;.key in a file), or when both ports are the same
     */
    public PeerConfig build() {
      if (storeDirectory == null) {
        throw PeerSettingException.missing(Setting.STORE_DIRECTORY, "is required (where blobs and state are kept), but was not set");
      }
      if (enrollments.isEmpty()) {
        throw PeerSettingException.missing(Setting.ENROLLMENTS, "must name at least one site (a peer serves only "
            + "the sites its operator enrolled, with their public keys), but names none");
      }
      if (servingPort != 0 && servingPort == controlPort) {
        throw PeerSettingException.invalid(Setting.SERVING_PORT, "must differ from the control port, but both are "
            + servingPort);
      }
      return new PeerConfig(this);
    }

    private static int checkPort(Setting setting, int port) {
      if (port < 0 || port > 65535) {
        throw PeerSettingException.invalid(setting, "must be between 0 and 65535, but was " + port);
      }
      return port;
    }
  }

  /** Reads one properties file into a builder. */
  private static final class FileParser {
    private final Path file;
    private final Path folder;
    private final Builder builder;

    FileParser(Path file, Builder builder) {
      this.file = file;
      Path parent = file.toAbsolutePath().getParent();
      this.folder = parent == null ? Path.of("") : parent;
      this.builder = builder;
    }

    void parse() throws IOException {
      Map<String, String> properties = read();
      Map<String, Map<String, String>> sites = new TreeMap<>();
      for (Map.Entry<String, String> property : properties.entrySet()) {
        String name = property.getKey();
        if (SETTINGS.contains(name)) {
          continue;
        }
        int dot = name.lastIndexOf('.');
        if (!name.startsWith("site.") || dot <= "site.".length() || !SITE_SETTINGS.contains(name.substring(dot + 1))) {
          throw fail(name, "unknown property; the known properties are " + String.join(", ", SETTINGS)
              + " and, per site, " + String.join(", ", SITE_SETTINGS.stream().map(s -> "site.<host>." + s).toList()),
              null);
        }
        String rawHost = name.substring("site.".length(), dot);
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (!HOST.matcher(host).matches()) {
          throw fail(name, "'" + rawHost + "' is not a host name (letters, digits and hyphens in dot-separated "
              + "labels, e.g. books.example)", null);
        }
        String setting = name.substring(dot + 1);
        if (sites.computeIfAbsent(host, h -> new TreeMap<>()).put(setting, property.getValue()) != null) {
          throw fail(name, "site " + host + " is configured twice (host names are not case-sensitive); give each "
              + "setting once", null);
        }
      }
      String value;
      if ((value = properties.get(SERVING_PORT)) != null) {
        builder.servingPort(port(SERVING_PORT, value));
      }
      if ((value = properties.get(CONTROL_PORT)) != null) {
        builder.controlPort(port(CONTROL_PORT, value));
      }
      if ((value = properties.get(BIND_ADDRESS)) != null) {
        String address = value;
        apply(BIND_ADDRESS, () -> builder.bindAddress(address));
      }
      if ((value = properties.get(STORE_DIRECTORY)) != null) {
        builder.storeDirectory(folder.resolve(path(STORE_DIRECTORY, value)).normalize());
      }
      if ((value = properties.get(MAX_UPLOAD_BYTES)) != null) {
        long bytes = wholeNumber(MAX_UPLOAD_BYTES, value);
        apply(MAX_UPLOAD_BYTES, () -> builder.maxUploadBytes(bytes));
      }
      if ((value = properties.get(BANDWIDTH)) != null) {
        long bytes = wholeNumber(BANDWIDTH, value);
        apply(BANDWIDTH, () -> builder.bandwidthBytesPerSecond(bytes));
      }
      tls(properties);
      for (Map.Entry<String, Map<String, String>> site : sites.entrySet()) {
        Enrollment enrollment = enrollment(site.getKey(), site.getValue());
        apply("site." + site.getKey() + "." + KEY, () -> builder.enroll(enrollment));
      }
    }

    private Map<String, String> read() throws IOException {
      byte[] bytes;
      try {
        if (Files.size(file) > MAX_CONFIG_BYTES) {
          throw fail("", "is larger than " + MAX_CONFIG_BYTES + " bytes; a peer configuration is a small "
              + "properties file", null);
        }
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw fail("", "no such file; give the peer's properties file", e);
      }
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw fail("", "is not UTF-8 text; a peer configuration is a properties file", e);
      }
      Map<String, String> properties = new LinkedHashMap<>();
      List<String> duplicates = new ArrayList<>();
      Properties reader = new Properties() {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Object put(Object key, Object value) {
          if (properties.put((String) key, ((String) value).strip()) != null) {
            duplicates.add((String) key);
          }
          return super.put(key, value);
        }
      };
      try (Reader in = new StringReader(text)) {
        reader.load(in);
      } catch (IllegalArgumentException e) {
        throw fail("", "is not a valid properties file: " + e.getMessage(), e);
      }
      if (!duplicates.isEmpty()) {
        throw fail(duplicates.get(0), "is set more than once; give each property once", null);
      }
      for (Map.Entry<String, String> property : properties.entrySet()) {
        if (property.getValue().isEmpty()) {
          throw fail(property.getKey(), "is empty; give a value or leave the property out", null);
        }
      }
      return properties;
    }

    private void tls(Map<String, String> properties) throws IOException {
      String keystore = properties.get(TLS_KEYSTORE);
      String password = properties.get(TLS_PASSWORD);
      String passwordFile = properties.get(TLS_PASSWORD_FILE);
      if (password != null && passwordFile != null) {
        throw fail(TLS_PASSWORD_FILE, "give either tls.password or tls.password-file, not both", null);
      }
      if (keystore == null) {
        if (password != null || passwordFile != null) {
          throw fail(password != null ? TLS_PASSWORD : TLS_PASSWORD_FILE,
              "a TLS password without tls.keystore; set tls.keystore to the PKCS#12 key store it opens", null);
        }
        return;
      }
      Path store = folder.resolve(path(TLS_KEYSTORE, keystore)).normalize();
      if (!Files.isRegularFile(store) || !Files.isReadable(store)) {
        throw fail(TLS_KEYSTORE, "cannot read the key store " + store + "; give a readable PKCS#12 file", null);
      }
      char[] secret;
      if (password != null) {
        secret = password.toCharArray();
      } else if (passwordFile != null) {
        Path secretFile = folder.resolve(path(TLS_PASSWORD_FILE, passwordFile)).normalize();
        try {
          if (Files.size(secretFile) > MAX_PASSWORD_FILE_BYTES) {
            throw fail(TLS_PASSWORD_FILE, secretFile + " is too large for a password file", null);
          }
          secret = Files.readString(secretFile, StandardCharsets.UTF_8).strip().toCharArray();
        } catch (IOException e) {
          if (e instanceof PeerConfigException known) {
            throw known;
          }
          throw fail(TLS_PASSWORD_FILE, "cannot read the password file " + secretFile + " ("
              + e.getClass().getSimpleName() + ")", e);
        }
        if (secret.length == 0) {
          throw fail(TLS_PASSWORD_FILE, "the password file " + secretFile + " is empty", null);
        }
      } else {
        throw fail(TLS_KEYSTORE, "a key store without a password; set tls.password or tls.password-file", null);
      }
      builder.tls(store, secret);
      Arrays.fill(secret, '\0');
    }

    private Enrollment enrollment(String host, Map<String, String> settings) throws IOException {
      String prefix = "site." + host + ".";
      String keyFile = settings.get(KEY);
      String keyPem = settings.get(KEY_PEM);
      if (keyFile != null && keyPem != null) {
        throw fail(prefix + KEY_PEM, "give either " + prefix + KEY + " or " + prefix + KEY_PEM + ", not both", null);
      }
      if (keyFile == null && keyPem == null) {
        throw fail(prefix + settings.keySet().iterator().next(), "site " + host + " has no public key; set "
            + prefix + KEY + " to its site.pub (or " + prefix + KEY_PEM + " to the PEM text)", null);
      }
      PublicKey key;
      if (keyFile != null) {
        Path pub = folder.resolve(path(prefix + KEY, keyFile)).normalize();
        try {
          key = SiteKeys.readPublicKey(pub);
        } catch (IOException e) {
          throw fail(prefix + KEY, e.getMessage(), e);
        }
      } else {
        try {
          key = SiteKeys.parsePublicKey(keyPem);
        } catch (IOException e) {
          throw fail(prefix + KEY_PEM, e.getMessage(), e);
        }
      }
      SiteQuota defaults = SiteQuota.DEFAULT;
      long maxStored = settings.containsKey(MAX_STORED_BYTES)
          ? wholeNumber(prefix + MAX_STORED_BYTES, settings.get(MAX_STORED_BYTES)) : defaults.maxStoredBytes();
      double rate = settings.containsKey(REQUESTS_PER_SECOND)
          ? decimal(prefix + REQUESTS_PER_SECOND, settings.get(REQUESTS_PER_SECOND)) : defaults.requestsPerSecond();
      double share = settings.containsKey(BANDWIDTH_SHARE)
          ? decimal(prefix + BANDWIDTH_SHARE, settings.get(BANDWIDTH_SHARE)) : defaults.bandwidthShare();
      SiteQuota quota;
      try {
        quota = new SiteQuota(maxStored, rate, share);
      } catch (IllegalArgumentException e) {
        String property = maxStored < 1 ? MAX_STORED_BYTES : !(rate > 0) ? REQUESTS_PER_SECOND : BANDWIDTH_SHARE;
        throw fail(prefix + property, e.getMessage(), e);
      }
      List<java.net.URI> origins = new java.util.ArrayList<>();
      if (settings.containsKey(ALLOWED_ORIGINS)) {
        for (String origin : settings.get(ALLOWED_ORIGINS).split(",")) {
          try {
            origins.add(new java.net.URI(origin.strip()));
          } catch (java.net.URISyntaxException e) {
            throw fail(prefix + ALLOWED_ORIGINS, "\"" + origin.strip() + "\" is not a URL such as "
                + "https://origin.books.example:8443", e);
          }
        }
      }
      try {
        return new Enrollment(host, key, quota, origins);
      } catch (IllegalArgumentException e) {
        throw fail(prefix + ALLOWED_ORIGINS, e.getMessage(), e);
      }
    }

    private int port(String name, String value) throws PeerConfigException {
      if (!WHOLE_NUMBER.matcher(value).matches() || Long.parseLong(value) > 65535) {
        throw fail(name, "must be a port number between 0 and 65535, but was '" + value + "'", null);
      }
      return Integer.parseInt(value);
    }

    private long wholeNumber(String name, String value) throws PeerConfigException {
      if (!WHOLE_NUMBER.matcher(value).matches()) {
        throw fail(name, "must be a whole number of bytes such as 1073741824, but was '" + value + "'", null);
      }
      return Long.parseLong(value);
    }

    private double decimal(String name, String value) throws PeerConfigException {
      if (!DECIMAL.matcher(value).matches()) {
        throw fail(name, "must be a decimal number such as 500 or 0.25, but was '" + value + "'", null);
      }
      return Double.parseDouble(value);
    }

    private Path path(String name, String value) throws PeerConfigException {
      try {
        return Path.of(value);
      } catch (java.nio.file.InvalidPathException e) {
        throw fail(name, "'" + value + "' is not a valid path: " + e.getReason(), e);
      }
    }

    private void apply(String name, Runnable setter) throws PeerConfigException {
      try {
        setter.run();
      } catch (IllegalArgumentException e) {
        throw fail(name, e.getMessage(), e);
      }
    }

    private PeerConfigException fail(String property, String message, Throwable cause) {
      return new PeerConfigException(file, property, message, cause);
    }
  }
}
