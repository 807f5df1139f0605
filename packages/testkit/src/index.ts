// Shared test support; moved here from the service's test/support.
export {};
