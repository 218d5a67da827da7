import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startApp } from './app/start';
import { App } from './ui/App';
import './ui/styles.css';

startApp();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
