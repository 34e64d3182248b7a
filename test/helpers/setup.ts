// Loaded before every test file (scripts/run-tests.mjs). Property-based tests
// use one fixed seed on CI, so a CI run is reproducible; on a developer
// machine each run explores new cases. PROPERTY_SEED overrides both.
import fc from 'fast-check';

const onCi = process.env.CI === 'true' || process.env.CI === '1';
const seed = process.env.PROPERTY_SEED !== undefined ? Number(process.env.PROPERTY_SEED) : onCi ? 20261122 : Date.now() % 1_000_000;
process.env.PROPERTY_SEED = String(seed);
fc.configureGlobal({ seed });
