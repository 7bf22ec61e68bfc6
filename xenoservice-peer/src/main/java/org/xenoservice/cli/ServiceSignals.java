package org.xenoservice.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only place that touches POSIX signals, which the Java platform has no public API for: the
 * peer host reloads on SIGHUP and stops gracefully, with exit code 0, on SIGTERM, as a service
 * manager expects ({@code systemctl reload}, {@code systemctl stop}).
 *
 * <p>It uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which every JDK since
 * 9 exports for exactly this, through reflection so that the build stays free of the compiler's
 * warning about it. Where a signal cannot be caught (another platform, a JVM run with
 * {@code -Xrs}) the handler is not installed and {@link #on} says why: the peer then reloads
 * through its control call only, and stops through the JVM's shutdown hook. A handler runs on a
 * thread of the JVM's own, one signal at a time, and must not throw.
 */
final class ServiceSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSignals.class);

    private ServiceSignals() {}

    /**
     * Runs {@code handler} whenever the process receives signal {@code name} ({@code HUP},
     * {@code TERM}) instead of the JVM's default action.
     *
     * @return why the handler could not be installed, empty when it was
     */
    static Optional<String> on(String name, Runnable handler) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object proxy = Proxy.newProxyInstance(
                    ServiceSignals.class.getClassLoader(), new Class<?>[] {handlerClass}, (self, method, args) -> {
                        if (method.getName().equals("handle")) {
                            run(name, handler);
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(self);
                            case "equals" -> self == args[0];
                            default -> "ServiceSignals[SIG" + name + "]";
                        };
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            handle.invoke(null, signal, proxy);
            return Optional.empty();
        } catch (InvocationTargetException e) {
            return Optional.of(
                    "SIG" + name + " cannot be caught here: " + e.getCause().getMessage());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return Optional.of("SIG" + name + " cannot be caught on this JVM (" + e + ")");
        }
    }

    private static void run(String name, Runnable handler) {
        try {
            handler.run();
        } catch (RuntimeException e) {
            LOG.error("handling SIG{} failed", name, e);
        }
    }
}
