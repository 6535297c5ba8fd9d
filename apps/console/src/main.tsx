import '@mantine/core/styles.css';
import { Alert, MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

/**
 * Contrast (WCAG AA, checked by axe in test/console): filled colours one shade darker than
 * Mantine's default, and their text black or white by luminance. At a threshold of 0.179 both
 * choices reach 4.5:1 whatever the shade; Mantine's default (0.3) leaves white on mid greens.
 */
const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.179,
  defaultRadius: 'md',
  // An alert's title in its own colour on its tinted background is below 4.5:1 (yellow, red):
  // the colour stays on the border and background, the words in the text colour.
  components: { Alert: Alert.extend({ defaultProps: { variant: 'light' }, styles: { title: { color: 'var(--mantine-color-text)' } } }) },
});
/** Dimmed text one step darker (lighter in dark) than the default, which is below 4.5:1. */
const contrast: CSSVariablesResolver = (t) => ({
  variables: {},
  light: { '--mantine-color-dimmed': t.colors.gray[7] },
  dark: { '--mantine-color-dimmed': t.colors.dark[1] },
});
// Refusals are answers, not outages: a 4xx is shown, never retried.
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (count, error) => count < 2 && !('status' in error && Number(error.status) < 500), refetchOnWindowFocus: true } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* "auto": light or dark as the operating system says, and it follows a change live. */}
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={contrast}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
