// The photo with the mask over it: pointer input goes through the current tool's state machine and its effects
// land on the document; the overlay redraws only the rectangle that changed. Zoom with the wheel or + and -,
// pan with the hand tool, the middle button or Space held down.
import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type WheelEvent } from 'react';

import type { Point } from './mask-bitmap.js';
import type { MaskDocument } from './mask-document.js';
import { IDLE, stepTool, type ToolInput, type ToolName, type ToolSettings, type ToolState } from './tools.js';

export interface View {
  zoom: number;
  panX: number;
  panY: number;
}

interface Props {
  doc: MaskDocument;
  revision: number;
  photoUrl: string;
  tool: ToolName;
  settings: ToolSettings;
  view: View;
  onView(view: View): void;
  onEdited(): void;
  overlay: 'tint' | 'mask';
}

export function MaskStage({ doc, revision, photoUrl, tool, settings, view, onView, onEdited, overlay }: Props) {
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const imageData = useRef<ImageData | null>(null);
  const toolState = useRef<ToolState>(IDLE);
  const activeTool = useRef<ToolName>(tool);
  const [lasso, setLasso] = useState<Point[] | null>(null);
  const [cursor, setCursor] = useState<Point | null>(null);
  const [space, setSpace] = useState(false);
  const [fit, setFit] = useState(1);
  const { width, height } = doc.bitmap;

  useLayoutEffect(() => {
    const stage = stageRef.current;
    if (!stage) return undefined;
    const measure = () => setFit(Math.min(stage.clientWidth / width, stage.clientHeight / height) * 0.95);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(stage);
    return () => observer.disconnect();
  }, [width, height]);

  useEffect(() => {
    const down = (e: KeyboardEvent) => e.code === 'Space' && !(e.target instanceof HTMLInputElement) && (e.preventDefault(), setSpace(true));
    const up = (e: KeyboardEvent) => e.code === 'Space' && setSpace(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, []);

  // Redraw what changed since the last frame (everything when the overlay style changes).
  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (!ctx) return;
    if (!imageData.current || imageData.current.width !== width || imageData.current.height !== height) {
      imageData.current = ctx.createImageData(width, height);
      doc.dirty = { x: 0, y: 0, w: width, h: height };
    }
    const rect = doc.takeDirty();
    if (!rect) return;
    const out = imageData.current.data;
    const src = doc.bitmap.data;
    for (let y = rect.y; y < rect.y + rect.h; y++) {
      for (let x = rect.x; x < rect.x + rect.w; x++) {
        const i = y * width + x;
        const m = src[i] as number;
        const o = i * 4;
        if (overlay === 'mask') {
          out[o] = out[o + 1] = out[o + 2] = m;
          out[o + 3] = 255;
        } else {
          out[o] = 230;
          out[o + 1] = 70;
          out[o + 2] = 70;
          out[o + 3] = Math.round(m * 0.5);
        }
      }
    }
    ctx.putImageData(imageData.current, 0, 0, rect.x, rect.y, rect.w, rect.h);
  }, [doc, revision, width, height, overlay]);

  useEffect(() => {
    doc.dirty = { x: 0, y: 0, w: width, h: height };
  }, [overlay, doc, width, height]);

  const scale = fit * view.zoom;

  function toImage(e: { clientX: number; clientY: number }): Point {
    const rect = (canvasRef.current as HTMLCanvasElement).getBoundingClientRect();
    return { x: ((e.clientX - rect.left) * width) / rect.width, y: ((e.clientY - rect.top) * height) / rect.height };
  }

  function feed(type: ToolInput['type'], e: ReactPointerEvent) {
    const input: ToolInput = { type, at: toImage(e), screen: { x: e.clientX, y: e.clientY }, alt: e.altKey };
    const { state, effects } = stepTool(activeTool.current, settings, toolState.current, input);
    toolState.current = state;
    let edited = false;
    for (const effect of effects) {
      switch (effect.type) {
        case 'begin-stroke':
          doc.beginStroke();
          break;
        case 'segment':
          doc.strokeSegment(effect.from, effect.to, effect.radius, effect.hardness, effect.value);
          edited = true;
          break;
        case 'commit':
          if (effect.action.type === 'stroke') doc.commitStroke(effect.action);
          else doc.dispatch(effect.action);
          edited = true;
          break;
        case 'abort-stroke':
          doc.abortStroke();
          edited = true;
          break;
        case 'lasso-preview':
          setLasso(effect.points);
          break;
        case 'pan':
          onView({ ...view, panX: view.panX + effect.dx, panY: view.panY + effect.dy });
          break;
      }
    }
    if (edited) onEdited();
  }

  function onPointerDown(e: ReactPointerEvent) {
    if (e.button !== 0 && e.button !== 1) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    activeTool.current = e.button === 1 || space ? 'pan' : tool;
    feed('down', e);
  }

  function onWheel(e: WheelEvent) {
    const factor = Math.exp(-e.deltaY * 0.0015);
    const zoom = Math.min(32, Math.max(0.25, view.zoom * factor));
    const stage = (stageRef.current as HTMLDivElement).getBoundingClientRect();
    // Keep the point under the cursor where it is.
    const cx = e.clientX - stage.left - stage.width / 2 - view.panX;
    const cy = e.clientY - stage.top - stage.height / 2 - view.panY;
    const k = zoom / view.zoom;
    onView({ zoom, panX: view.panX - cx * (k - 1), panY: view.panY - cy * (k - 1) });
  }

  const brushPx = settings.size * scale;
  const cursorStyle = tool === 'pan' || space ? 'grab' : tool === 'brush' || tool === 'eraser' ? 'none' : 'crosshair';
  return (
    <div ref={stageRef} className="mask-stage" onWheel={onWheel} data-testid="mask-stage">
      <div className="mask-sheet" style={{ width: width * scale, height: height * scale, transform: `translate(-50%, -50%) translate(${view.panX}px, ${view.panY}px)` }}>
        <img src={photoUrl} alt="" draggable={false} className="mask-photo" style={{ opacity: overlay === 'mask' ? 0 : 1 }} />
        <canvas ref={canvasRef} width={width} height={height} className="mask-canvas" data-testid="mask-canvas" aria-label="Face mask, editable with the pointer"
          style={{ cursor: cursorStyle }}
          onPointerDown={onPointerDown}
          onPointerMove={(e) => { setCursor({ x: e.nativeEvent.offsetX, y: e.nativeEvent.offsetY }); if (toolState.current.mode !== 'idle') feed('move', e); }}
          onPointerUp={(e) => feed('up', e)}
          onPointerCancel={(e) => feed('cancel', e)}
          onPointerLeave={() => setCursor(null)} />
        <svg className="mask-svg" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
          {lasso && <polygon points={lasso.map((p) => `${p.x},${p.y}`).join(' ')} className="lasso-path" vectorEffect="non-scaling-stroke" />}
        </svg>
        {cursor && (tool === 'brush' || tool === 'eraser') && !space && (
          <div className="brush-cursor" style={{ width: brushPx, height: brushPx, left: cursor.x - brushPx / 2, top: cursor.y - brushPx / 2 }} />
        )}
      </div>
    </div>
  );
}
