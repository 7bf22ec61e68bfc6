/**
 * The Jakarta Servlet adapter, for existing web apps: {@link org.xenoservice.servlet.XenoFilter}
 * records every request the app handles (async ones when they complete) and answers XenoService's
 * own paths, and {@link org.xenoservice.servlet.ServletContextSource} publishes the web app's
 * resources as the site's static files. It translates servlet types into the core's small
 * interfaces and stays thin; the servlet API is the container's own.
 */
package org.xenoservice.servlet;
