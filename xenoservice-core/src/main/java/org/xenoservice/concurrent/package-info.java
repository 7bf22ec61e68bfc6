/**
 * The threads XenoService starts, made in one place: {@link org.xenoservice.concurrent.DaemonThreads}
 * names them {@code xeno-*}, makes them daemons (a library never keeps an application's JVM alive)
 * and logs what kills one. Used by both the origin's and the peer host's parts; an application has
 * no need of it.
 */
package org.xenoservice.concurrent;
