/** Moved to the product (the offline demo plays it); kept here so harness imports keep working. */
export * from '../../src/sandbox/scripted-model.js'
