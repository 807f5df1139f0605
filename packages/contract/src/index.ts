// The contract's entry point; the schemas move here from the service.
export {};
