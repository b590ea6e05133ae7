/**
 * requirements.txt of the exported package: the floors are what its code needs, not what was
 * newest. PyTorch 1.13: the oldest tested (Debian's python3-torch), and torch.onnx.export's opset 17
 * (export_onnx.py) comes with it. NumPy only turns decoded images into tensors. Pillow only opens,
 * resizes, crops and flips dataset images (API unchanged since long before 8.0, the first release
 * for Python 3.9, the package's floor). onnx and tensorboard are optional and only imported when used.
 */
export const REQUIREMENTS_TXT = [
  '# pip install -r requirements.txt',
  'torch>=1.13',
  'numpy>=1.19',
  'pillow>=8.0',
  '# Optional: onnx (export_onnx.py checks the file with onnx.checker), tensorboard (train.py --tensorboard DIR)',
  '# onnx>=1.12',
  '# tensorboard>=2.10',
  '',
].join('\n');
