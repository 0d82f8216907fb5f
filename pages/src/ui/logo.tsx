export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path d="M9 24V13l7-5 7 5v11h-5v-6h-4v6z" fill="#ecfdf5" />
    </svg>
  );
}
