import { createTheme } from "@mantine/core";

// Mantine's defaults. Overrides live in app.css as CSS variables: the runtime <style> tag that
// would carry theme variables is off (the CSP allows no inline styles).
export const theme = createTheme({
  // People who ask their system for less motion get no modal and toast transitions.
  respectReducedMotion: true,
});
