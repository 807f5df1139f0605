// A message for the next page ("Event created"), shown once.
let pending: string | null = null;

export const flash = {
  set(message: string) {
    pending = message;
  },
  take(): string | null {
    const message = pending;
    pending = null;
    return message;
  },
};
