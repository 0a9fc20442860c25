"""nn_core: the playground's NumPy engine. No UI imports: usable from a notebook as is.

    >>> from nn_core import Network, train, make_dataset
    >>> net = Network([2, 4, 1], activations="tanh", seed=1)
    >>> trace = net.forward([[0.5, -1.0]])
    >>> grads = net.backward(trace, [[1.0]], loss="mse")
"""

from .activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    Activation,
    get_activation,
    sigmoid,
    softmax,
)
from .bugs import BUGS, Bug, loss_curve
from .gradcheck import GradCheckResult, gradient_check, numeric_gradients, relative_error, verdict
from .initializers import INIT_DESCRIPTIONS, INITIALIZERS, initialize
from .losses import LOSSES, Loss, get_loss
from .network import ForwardTrace, Gradients, Network, as_batch, as_targets
from .numpy_script import experiment_script, script_inputs, script_refusal, to_numpy_script
from .optimizers import (
    OPTIMIZERS,
    REGULARIZATIONS,
    SGD,
    Adam,
    Momentum,
    Optimizer,
    make_optimizer,
    regularization_gradient,
    regularization_penalty,
)
from .serialization import (
    network_from_dict,
    network_from_json,
    network_to_dict,
    network_to_json,
    trace_from_json,
    trace_to_json,
)
from .stepthrough import Step, StepThrough, step_through
from .training import History, Snapshot, accuracy, train
