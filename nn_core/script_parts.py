"""The fixed text of a NumPy script (see numpy_script): one block per activation, loss and
optimizer, each written exactly as the engine computes it, so the script's numbers equal
train()'s, and each explained for the tutorial's reader. Only numbers are ever filled in.
"""

from __future__ import annotations

# ---- activations: f(z) and f'(z) given z and a = f(z), as in activations.py

SIGMOID = '''
def sigmoid(z):
    """Return 1 / (1 + e^-z).

    Written so that e is only ever raised to a negative power: the tutorial's
    1.0 / (1 + np.exp(-x)) overflows (with a warning) once z is below about -709.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)
'''

DERIVATIVES = {
    "sigmoid": '''
def sigmoid_derivative(z, a):
    """Return sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)), using the layer's output a = sigmoid(z).

    The tutorial's sigmoid_derivative(x) had the same formula but took the output, not z: here
    both are passed, so no call can mix them up.
    """
    return a * (1.0 - a)
''',
    "tanh": '''
def tanh_derivative(z, a):
    """Return tanh'(z) = 1 - tanh(z)^2 = 1 - a^2."""
    return 1.0 - a * a
''',
    "relu": '''
def relu_derivative(z, a):
    """Return ReLU'(z): 1 where z > 0, else 0 (at z = 0 exactly, 0)."""
    return (z > 0).astype(float)
''',
    "leaky_relu": '''
def leaky_relu_derivative(z, a):
    """Return LeakyReLU'(z): 1 where z > 0, else 0.01."""
    return np.where(z > 0, 1.0, 0.01)
''',
    "elu": '''
def elu_derivative(z, a):
    """Return ELU'(z): 1 where z > 0, else e^z."""
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))
''',
    "softplus": '''
def softplus_derivative(z, a):
    """Return softplus'(z) = sigmoid(z)."""
    return sigmoid(z)
''',
    "gelu": '''
def gelu_derivative(z, a):
    """Return GELU'(z), the derivative of the tanh form above (t is its tanh)."""
    zc = np.clip(z, -50.0, 50.0)
    t = np.tanh(SQRT_2_OVER_PI * (zc + GELU_K * zc * zc * zc))
    return 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * SQRT_2_OVER_PI * (
        1.0 + 3.0 * GELU_K * zc * zc
    )
''',
    "swish": '''
def swish_derivative(z, a):
    """Return swish'(z) = s + a (1 - s), with s = sigmoid(z) and a = z s."""
    s = sigmoid(z)
    return s + a * (1.0 - s)
''',
    "linear": '''
def linear_derivative(z, a):
    """Return 1 for every z: the identity's slope."""
    return np.ones_like(z)
''',
}

FUNCTIONS = {
    "sigmoid": "",  # SIGMOID, written once for every activation that needs it
    "tanh": '''
def tanh(z):
    """Return tanh(z), an S-curve like the sigmoid but from -1 to 1 (zero-centred)."""
    return np.tanh(z)
''',
    "relu": '''
def relu(z):
    """Return max(0, z): positives pass, negatives become 0."""
    return np.maximum(z, 0.0)
''',
    "leaky_relu": '''
def leaky_relu(z):
    """Return z for z > 0, else 0.01 z (a small slope, so a unit never stops learning)."""
    return np.where(z > 0, z, 0.01 * z)
''',
    "elu": '''
def elu(z):
    """Return z for z > 0, else e^z - 1 (np.minimum keeps e^z finite in the unused branch)."""
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
''',
    "softplus": '''
def softplus(z):
    """Return ln(1 + e^z), a smooth ReLU (np.logaddexp never overflows)."""
    return np.logaddexp(0.0, z)
''',
    "gelu": '''
SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)
GELU_K = 0.044715


def gelu(z):
    """Return GELU(z) = z/2 (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))), its tanh form.

    Beyond |z| = 50 the tanh is exactly +-1, so z is clipped there before cubing.
    """
    zc = np.clip(z, -50.0, 50.0)
    return 0.5 * z * (1.0 + np.tanh(SQRT_2_OVER_PI * (zc + GELU_K * zc * zc * zc)))
''',
    "swish": '''
def swish(z):
    """Return z sigmoid(z): smooth, dips slightly below 0, close to ReLU for large |z|."""
    return z * sigmoid(z)
''',
    "linear": '''
def linear(z):
    """Return z unchanged (no activation)."""
    return z
''',
    "softmax": '''
def softmax(z):
    """Return each row of z turned into probabilities that sum to 1.

    The row's largest z is subtracted first: the result is the same and e^z never overflows.
    """
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
''',
}

SOFTMAX_BACKWARD = '''
def softmax_backward(a, dL_da):
    """Return dL/dz of a softmax layer from dL/da: a_i (dL/da_i - sum_j dL/da_j a_j).

    Every output of a softmax depends on every z of its row, so the chain rule goes through
    the whole row (its Jacobian) instead of multiplying by one derivative per unit.
    """
    return a * (dL_da - np.sum(dL_da * a, axis=-1, keepdims=True))
'''

# ---- losses: value and dL/d(output), as in losses.py; two pairs work from z directly

LOG_EPS = '''
# Outputs are kept this far from 0 and 1 before a logarithm: a large loss, never infinity.
LOG_EPS = 1e-12
'''

LOSSES = {
    "sse": '''
def sse(output, y):
    """Return the sum of squared errors L = sum (output - y)^2, the tutorial's loss."""
    return float(np.sum((output - y) ** 2))


def sse_gradient(output, y):
    """Return dL/d(output) = 2 (output - y).

    The tutorial wrote 2 (y - output), the negative of this, and then added the result to
    the weights; here it is the gradient itself, and the update subtracts it.
    """
    return 2.0 * (output - y)
''',
    "mse": '''
def mse(output, y):
    """Return the mean squared error L = mean (output - y)^2 over every output value."""
    return float(np.mean((output - y) ** 2))


def mse_gradient(output, y):
    """Return dL/d(output) = 2 (output - y) / N, N the number of output values."""
    return 2.0 * (output - y) / output.size
''',
    "bce": '''
def binary_cross_entropy(output, y):
    """Return L = -mean(y ln(output) + (1 - y) ln(1 - output))."""
    p = np.clip(output, LOG_EPS, 1.0 - LOG_EPS)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def binary_cross_entropy_gradient(output, y):
    """Return dL/d(output) = (output - y) / (output (1 - output)) / N."""
    p = np.clip(output, LOG_EPS, 1.0 - LOG_EPS)
    return (p - y) / (p * (1.0 - p)) / output.size
''',
    "cross_entropy": '''
def cross_entropy(output, y):
    """Return L = -sum(y ln(output)) / n, the mean over the n rows."""
    return float(-np.sum(y * np.log(np.clip(output, LOG_EPS, None))) / output.shape[0])


def cross_entropy_gradient(output, y):
    """Return dL/d(output) = -y / output / n."""
    return -y / np.clip(output, LOG_EPS, None) / output.shape[0]
''',
}

# With a sigmoid output and binary cross-entropy (softmax and cross-entropy), dL/dz is simply
# (a - y) / N: the script uses that, and computes the loss from z, as the engine does.
LOSSES_FROM_Z = {
    "bce": '''
def binary_cross_entropy(z, y):
    """Return L = -mean(y ln a + (1 - y) ln(1 - a)) for a = sigmoid(z), computed from z.

    -[y ln a + (1 - y) ln(1 - a)] equals ln(1 + e^z) - y z: no logarithm of an output that
    rounded to 0 or 1, so the loss stays exact where the sigmoid saturates.
    """
    return float(np.mean(np.logaddexp(0.0, z) - y * z))
''',
    "cross_entropy": '''
def cross_entropy(z, y):
    """Return L = -sum(y ln softmax(z)) / n for the n rows, computed from z.

    ln softmax(z)_k = z_k - ln(sum_j e^z_j): the log of the sum is taken after subtracting the
    row's largest z, so nothing overflows and no probability is rounded to 0 first.
    """
    m = np.max(z, axis=-1, keepdims=True)
    log_sum = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
    return float(np.sum(y * (log_sum - z)) / z.shape[0])
''',
}

FUSED_DELTA = {
    "bce": ("# A sigmoid output with binary cross-entropy: the chain rule through both\n"
            "# simplifies to dL/dz = (a - y) / N (N output values), exact even where a is 0 or 1.\n"
            "delta = (self.a[-1] - y) / y.size"),
    "cross_entropy": ("# A softmax output with cross-entropy: the chain rule through both\n"
                      "# simplifies to dL/dz = (a - y) / n (n rows, each y one-hot).\n"
                      "delta = (self.a[-1] - y) / y.shape[0]"),
}

# ---- optimizers: the state they keep, and the update written as its own step

OPTIMIZER_STATE = {
    "sgd": "",
    "momentum": ('        # Momentum: a velocity per parameter, the running sum of past steps.\n'
                 '        self.vW = [np.zeros_like(w) for w in self.W]\n'
                 '{bias}        self.vb = [np.zeros_like(v) for v in self.b]\n'),
    "adam": ('        # Adam: running means of the gradients (m) and of their squares (v),\n'
             '        # and the number of steps taken (t) to correct their start at zero.\n'
             '        self.mW = [np.zeros_like(w) for w in self.W]\n'
             '        self.vW = [np.zeros_like(w) for w in self.W]\n'
             '{bias}        self.mb = [np.zeros_like(v) for v in self.b]\n'
             '{bias}        self.vb = [np.zeros_like(v) for v in self.b]\n'
             '        self.t = 0\n'),
}

UPDATE_DOC = {
    "sgd": "Take one gradient-descent step: W <- W - learning_rate * dL/dW",
    "momentum": "Take one momentum step: v <- MOMENTUM v - learning_rate dL/dW; W <- W + v",
    "adam": "Take an Adam step: W -= learning_rate m_hat / (sqrt(v_hat) + EPS)",
}

UPDATE_BODY = {
    "sgd": ("self.{p}[k] -= learning_rate * {g}\n"),
    "momentum": ("self.v{p}[k] = MOMENTUM * self.v{p}[k] - learning_rate * {g}\n"
                 "self.{p}[k] += self.v{p}[k]\n"),
    "adam": ("self.m{p}[k] = BETA1 * self.m{p}[k] + (1.0 - BETA1) * {g}\n"
             "self.v{p}[k] = BETA2 * self.v{p}[k] + (1.0 - BETA2) * {g} * {g}\n"
             "m_hat = self.m{p}[k] / (1.0 - BETA1 ** self.t)\n"
             "v_hat = self.v{p}[k] / (1.0 - BETA2 ** self.t)\n"
             "self.{p}[k] -= learning_rate * m_hat / (np.sqrt(v_hat) + EPS)\n"),
}

REGULARIZATION = {
    "l1": ("# L1 regularization adds REG_RATE * sign(W) to dL/dW: the gradient of the\n"
           "# penalty REG_RATE * sum |W| (biases are not penalised).\n"
           "g = dW[k] + REG_RATE * np.sign(self.W[k])\n"),
    "l2": ("# L2 regularization adds REG_RATE * W to dL/dW: the gradient of the\n"
           "# penalty REG_RATE / 2 * sum W^2 (biases are not penalised).\n"
           "g = dW[k] + REG_RATE * self.W[k]\n"),
}
