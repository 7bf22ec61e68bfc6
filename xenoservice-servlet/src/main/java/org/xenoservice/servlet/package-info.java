/**
 * The Jakarta Servlet adapter: {@code XenoFilter} brings XenoService to an existing web app.
 * It translates servlet requests into the core's small interfaces and stays thin.
 */
package org.xenoservice.servlet;
