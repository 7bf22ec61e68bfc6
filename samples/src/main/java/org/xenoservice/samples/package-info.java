/**
 * Sample applications: the antiquarian bookstore of the XenoService paper and its attack demo.
 */
package org.xenoservice.samples;
