/**
 * Test support shared by every module's tests: guards that make silent failures fail the build, and
 * the requests every adapter's IT sends so that all adapters are held to one record.
 */
package org.xenoservice.testing;
