import { useId, useRef, useState, type ReactNode } from 'react';
import { filesFromDrop, isSystemFile } from './collect-files';

interface DropZoneProps {
  onFiles(files: File[]): void;
  /** For the file picker; drops take anything (and say what they refused). */
  accept?: string;
  folders?: boolean;
  testId: string;
  children: ReactNode;
  disabled?: boolean;
}

/** A drop target with a file picker (and a folder picker) for people who do not drag. */
export function DropZone({ onFiles, accept, folders, testId, children, disabled }: DropZoneProps) {
  const [over, setOver] = useState(false);
  const [reading, setReading] = useState(false);
  const [unreadable, setUnreadable] = useState<{ name: string; reason: string }[]>([]);
  const inputId = useId();
  const folderInput = useRef<HTMLInputElement>(null);
  const deliver = (files: File[]) => {
    const kept = files.filter((f) => !isSystemFile(f));
    if (kept.length > 0) onFiles(kept);
  };
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      data-testid={testId}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (disabled) return;
        setReading(true);
        filesFromDrop(e.dataTransfer)
          .then((dropped) => {
            setUnreadable(dropped.unreadable);
            deliver(dropped.files);
          })
          .catch((err: unknown) => setUnreadable([{ name: 'the drop', reason: err instanceof Error ? err.message : String(err) }]))
          .finally(() => setReading(false));
      }}
    >
      <div className="drop-text">{reading ? 'Reading the folders…' : children}</div>
      {unreadable.length > 0 && (
        <ul className="small error" data-testid={`${testId}-unreadable`}>
          {unreadable.map((u, i) => (
            <li key={i}>
              {u.name}: could not be read ({u.reason})
            </li>
          ))}
        </ul>
      )}
      <div className="drop-buttons">
        <label className="button small" htmlFor={inputId}>
          Choose files…
        </label>
        <input
          id={inputId}
          type="file"
          multiple
          accept={accept}
          disabled={disabled}
          data-testid={`${testId}-input`}
          className="visually-hidden"
          onChange={(e) => {
            deliver(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
        {folders && (
          <>
            <button className="small" type="button" disabled={disabled} onClick={() => folderInput.current?.click()}>
              Choose a folder…
            </button>
            <input
              ref={folderInput}
              type="file"
              multiple
              className="visually-hidden"
              // Not in React's typings; every current browser supports it.
              {...{ webkitdirectory: '' }}
              onChange={(e) => {
                deliver(Array.from(e.target.files ?? []));
                e.target.value = '';
              }}
            />
          </>
        )}
      </div>
    </div>
  );
}
