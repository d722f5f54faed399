/** Moved to the product (the offline demo writes one); kept here so harness imports keep working. */
export * from '../../src/sandbox/codex-home.js'
