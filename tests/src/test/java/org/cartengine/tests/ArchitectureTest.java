package org.cartengine.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Package rules of the main code: the packages of cart depend on each other without cycles (cart.run and cart.data
 * below train, search below baseline and train, serve and cli on top), and the engine knows nothing of
 * cart.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    // jars included: in a reactor build past `package`, cart and engine are on the class path as jars
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.cartengine");
    // the rules below would pass on nothing: make sure both modules were found
    assertTrue(classes.contain("org.cartengine.cart.train.Trainer") && classes.contain("org.cartengine.cart.run.RunDir"), "cart's classes imported");
    assertTrue(classes.contain("org.cartengine.engine.Tensor"), "engine's classes imported");
  }

  @Test
  void cartPackagesHaveNoCycles() {
    slices().matching("org.cartengine.cart.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void engineDoesNotDependOnCart() {
    noClasses().that().resideInAPackage("org.cartengine.engine..").should().dependOnClassesThat()
        .resideInAPackage("org.cartengine.cart..").check(classes);
  }
}
