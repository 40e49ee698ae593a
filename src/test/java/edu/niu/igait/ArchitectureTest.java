package edu.niu.igait;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages of the product (src/main: target/classes; the tests and the stand-ins of src/dev are
 * compiled to target/test-classes and are not looked at) depend on each other without a cycle, and
 * none of them reaches the local stand-ins (edu.niu.igait.dev), which the production jar does not carry.
 */
@AnalyzeClasses(packages = "edu.niu.igait", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesDependOnEachOtherWithoutCycles =
            slices().matching("edu.niu.igait.(*)..").namingSlices("$1").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theProductNeverReachesTheStandIns =
            noClasses().that().resideInAPackage("edu.niu.igait..").and().resideOutsideOfPackage("edu.niu.igait.dev..")
                    .should().dependOnClassesThat().resideInAPackage("edu.niu.igait.dev..")
                    .because("the stand-ins (src/dev) are on the test class path only: the production jar has none of them");

    @ArchTest
    static final ArchRule theStandInsAreNotPartOfTheProduct =
            noClasses().should().resideInAPackage("edu.niu.igait.dev..")
                    .because("the stand-ins live in src/dev, compiled onto the test class path only");
}
