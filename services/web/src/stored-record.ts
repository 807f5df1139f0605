// A record kept in sessionStorage under one key, read and written whole. Storage
// may refuse (private mode, quota) or hold something unreadable: then the record
// reads as empty and a write is dropped, which costs a convenience, never a request.
export function storedRecord<T>(key: string) {
  return {
    read(): Record<string, T> {
      try {
        return JSON.parse(sessionStorage.getItem(key) ?? '{}') as Record<string, T>;
      } catch {
        return {};
      }
    },
    write(all: Record<string, T>): void {
      try {
        sessionStorage.setItem(key, JSON.stringify(all));
      } catch {
        // Not kept: what is kept here can be had again (see above).
      }
    },
    clear(): void {
      try {
        sessionStorage.removeItem(key);
      } catch {
        // nothing to clear
      }
    },
  };
}
