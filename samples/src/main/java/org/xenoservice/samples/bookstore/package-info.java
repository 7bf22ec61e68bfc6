/**
 * The paper's mom-and-pop antiquarian bookstore, as a real little shop: a catalogue read from a
 * CSV file, a generated static site (pages, price list, Java2D covers), a search page and an order
 * form whose orders are kept durably, once per order id. It runs on Undertow
 * ({@link org.xenoservice.samples.bookstore.BookstoreApp}) or as a servlet web app in embedded
 * Tomcat ({@link org.xenoservice.samples.bookstore.BookstoreWebApp}), protected by XenoService in
 * both, with the same shop logic behind them.
 */
package org.xenoservice.samples.bookstore;
