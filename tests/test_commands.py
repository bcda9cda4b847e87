"""tests/_commands.py runs a Python command as `python` does: same exit status, stdout and stderr."""
import os
import subprocess
import sys

import _commands as commands
import pytest

PACKAGE = {"__init__.py": "WHERE = 'copy'\n",
           "__main__.py": "import sys\nimport tool\nprint(tool.WHERE, sys.argv[1:])\nsys.exit(int(sys.argv[1]))\n"}
COMMANDS = {
    "output and status": ["-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"],
    "an uncaught error": ["-c", "def f():\n    raise ValueError('boom')\nf()"],
    "sys.exit with a text": ["-c", "import sys; sys.exit('stopped: a reason')"],
    "argv of -c": ["-u", "-c", "import sys; print(sys.argv)", "a", "b c"],
    "the package of the folder, by -m": ["-m", "tool", "4", "x"],
    "Chinese on both streams": ["-c", "import sys; print('目标'); print('错误', file=sys.stderr)"],
    "killed with -9": ["-c", "import os, signal; print('before', flush=True); os.kill(os.getpid(), signal.SIGKILL)"],
    "the environment": ["-c", "import os; print(sorted(k for k in os.environ if k.startswith('ONLY_')))"],
    "the project is not preloaded": ["-c", "import sys; print([m for m in sys.modules if m.startswith('analysis')])"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_gives_what_python_gives(tmp_path, name):
    for file, text in PACKAGE.items():
        (tmp_path / "tool").mkdir(exist_ok=True)
        (tmp_path / "tool" / file).write_text(text, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "ONLY_THIS": "1", "PYTHONPATH": str(tmp_path)}
    argv = COMMANDS[name]
    expected = subprocess.run([sys.executable, *argv], cwd=tmp_path, env=env, capture_output=True, text=True)
    got = commands.run(argv, cwd=tmp_path, env=env)
    assert (got.returncode, got.stdout, got.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool"]          # the captured output is not left behind


def test_a_command_past_its_time_is_killed_and_named(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired):
        commands.run(["-c", "import time; time.sleep(30)"], cwd=tmp_path, env={}, timeout=0.5)
