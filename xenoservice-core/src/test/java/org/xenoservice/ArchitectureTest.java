package org.xenoservice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules of core, checked on its compiled classes: one role per package and no cycles
 * (DESIGN.md, "Inside core"). The origin side (the facade, {@code client}, {@code intake},
 * {@code replicate}, {@code overload}, {@code dns}, {@code acme}) and the peer host ({@code peer}) never use each
 * other; what both use ({@code protocol}, {@code bundle}, {@code key}, {@code dynamic}) uses neither.
 */
@AnalyzeClasses(packages = "org.xenoservice", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] ORIGIN = {
        "org.xenoservice",
        "org.xenoservice.client..",
        "org.xenoservice.intake..",
        "org.xenoservice.replicate..",
        "org.xenoservice.overload..",
        "org.xenoservice.dns..",
        "org.xenoservice.acme.."
    };
    private static final String PEER_HOST = "org.xenoservice.peer..";
    private static final String[] SHARED = {
        "org.xenoservice.protocol..",
        "org.xenoservice.bundle..",
        "org.xenoservice.concurrent..",
        "org.xenoservice.key..",
        "org.xenoservice.dynamic.."
    };

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles =
            slices().matching("org.xenoservice.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noPackageUsesTheFacade = noClasses()
            .that()
            .resideOutsideOfPackage("org.xenoservice")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.xenoservice")
            .because("the facade wires the packages together, so none of them may need it");

    @ArchTest
    static final ArchRule coreUsesNoWebFramework = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.undertow..", "jakarta.servlet..", "javax.servlet..")
            .because("adapters translate their framework's requests into core's interfaces");

    @ArchTest
    static final ArchRule theOriginDoesNotRunThePeerHost = noClasses()
            .that()
            .resideInAnyPackage(ORIGIN)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(PEER_HOST)
            .because("what runs on the origin reaches a peer only through the wire formats in protocol");

    @ArchTest
    static final ArchRule thePeerHostDoesNotRunTheOrigin = noClasses()
            .that()
            .resideInAPackage(PEER_HOST)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(ORIGIN)
            .because("a peer host carries none of the origin's machinery");

    @ArchTest
    static final ArchRule sharedPackagesBelongToNeitherSide = noClasses()
            .that()
            .resideInAnyPackage(SHARED)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(ORIGIN)
            .orShould()
            .dependOnClassesThat()
            .resideInAPackage(PEER_HOST)
            .because("both sides use them");
}
