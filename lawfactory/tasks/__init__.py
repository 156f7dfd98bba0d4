"""Tasks: cases → rows of the registered datasets (the protocol: lawfactory/tasks/base.py; the
registry of every dataset the build writes: lawfactory/tasks/registry.py)."""

from lawfactory.tasks.base import BaseTask, Task
from lawfactory.tasks.samples import sample

__all__ = ["BaseTask", "Task", "sample"]
