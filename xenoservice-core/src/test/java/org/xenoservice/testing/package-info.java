/** Test support shared by every module's tests: guards that make silent failures fail the build. */
package org.xenoservice.testing;
