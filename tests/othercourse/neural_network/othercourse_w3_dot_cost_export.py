#!/usr/bin/env python
# coding: utf-8

# # Neural Network with Two Layers
# 
# In this assignment you will build a neural network with one hidden layer and train it to separate
# two classes of points that no single straight line can separate.
# 
# **After this assignment you will be able to:**
# - write forward and backward propagation for a network with one hidden layer,
# - train the network with gradient descent,
# - use the trained network to classify new points.

# # Table of Contents
# 
# - [ 1 - Classification Problem](#1)
# - [ 2 - Neural Network Model with a Single Hidden Layer](#2)
#   - [ 2.1 - Neural Network Model with a Single Hidden Layer](#2.1)
#   - [ 2.2 - Dataset](#2.2)
#   - [ 2.3 - Define Activation Function](#2.3)
#     - [ Exercise 1](#ex01)
# - [ 3 - Implementation of the Neural Network Model with a Single Hidden Layer](#3)
#   - [ 3.1 - Defining the Neural Network Structure](#3.1)
#     - [ Exercise 2](#ex02)
#   - [ 3.2 - Initialize the Model's Parameters](#3.2)
#     - [ Exercise 3](#ex03)
#   - [ 3.3 - The Loop](#3.3)
#     - [ Exercise 4](#ex04)
#     - [ Exercise 5](#ex05)
#     - [ Exercise 6](#ex06)
#   - [ 3.4 - Integrate parts 3.1, 3.2 and 3.3 in nn_model()](#3.4)
#     - [ Exercise 7](#ex07)
#     - [ Exercise 8](#ex08)
# - [ 4 - Optional: Other Dataset](#4)

# ## Packages
# 
# Run the cell below to import the packages for this assignment.

# In[1]:


import numpy as np
import matplotlib.pyplot as plt
from matplotlib import colors
# Makes the clouds of points of the data set.
from sklearn.datasets import make_blobs

# Plots appear below the cells that make them.
get_ipython().run_line_magic('matplotlib', 'inline')

# A fixed seed, so that your numbers match the expected ones.
np.random.seed(3)

import w3_tools
import w3_unittest


# <a name='1'></a>
# ## 1 - Classification Problem
# 
# Points on a plane belong to one of two classes, red and blue, arranged so that a single line
# cannot separate them. A perceptron draws one line; a network with a hidden layer can combine
# several.

# <a name='2.2'></a>
# ### 2.2 - Dataset
# 
# Four clouds of points: the two on one diagonal are red (label 1), the two on the other blue
# (label 0).

# In[2]:


m = 2000
samples, labels = make_blobs(n_samples=m,
                             centers=([2.4, 3.1], [6.8, 7.7], [2.2, 7.6], [7.3, 2.7]),
                             cluster_std=1.1,
                             random_state=4)

labels[(labels == 0) | (labels == 1)] = 1
labels[(labels == 2) | (labels == 3)] = 0

X = np.transpose(samples)
Y = labels.reshape((1, m))

plt.scatter(X[0, :], X[1, :], c=Y, cmap=colors.ListedColormap(['blue', 'red']));

print('The shape of X is: ' + str(X.shape))
print('The shape of Y is: ' + str(Y.shape))
print('I have m = %d training examples!' % (m))


# <a name='2.3'></a>
# ### 2.3 - Define Activation Function
# 
# <a name='ex01'></a>
# ### Exercise 1
# 
# Define the sigmoid, $\sigma\left(z\right) = \frac{1}{1+e^{-z}}$.

# In[3]:


# GRADED FUNCTION: sigmoid

def sigmoid(z):
    ### START CODE HERE ### (~ 1 line of code)
    res = 1 / (1 + np.exp(-z))
    ### END CODE HERE ###

    return res


# In[4]:


print("sigmoid(-2) = " + str(sigmoid(-2)))
print("sigmoid(0) = " + str(sigmoid(0)))
print("sigmoid(3.5) = " + str(sigmoid(3.5)))


# In[5]:


w3_unittest.test_sigmoid(sigmoid)


# <a name='3'></a>
# ## 3 - Implementation of the Neural Network Model with a Single Hidden Layer
# 
# <a name='3.1'></a>
# ### 3.1 - Defining the Neural Network Structure
# 
# <a name='ex02'></a>
# ### Exercise 2
# 
# Define three variables:
# - `n_x`: the size of the input layer
# - `n_h`: the size of the hidden layer (set it to 2 for now)
# - `n_y`: the size of the output layer

# In[6]:


# GRADED FUNCTION: layer_sizes

def layer_sizes(X, Y):
    """
    Arguments:
    X -- input data, of shape (input size, number of examples)
    Y -- labels, of shape (output size, number of examples)

    Returns:
    n_x -- the size of the input layer
    n_h -- the size of the hidden layer
    n_y -- the size of the output layer
    """
    ### START CODE HERE ### (~ 3 lines of code)
    # Size of input layer.
    n_x = X.shape[0]
    # Size of hidden layer.
    n_h = 2
    # Size of output layer.
    n_y = Y.shape[0]
    ### END CODE HERE ###
    return (n_x, n_h, n_y)


# In[7]:


n_x, n_h, n_y = layer_sizes(X, Y)
print("The size of the input layer is: n_x = " + str(n_x))
print("The size of the hidden layer is: n_h = " + str(n_h))
print("The size of the output layer is: n_y = " + str(n_y))


# In[8]:


w3_unittest.test_layer_sizes(layer_sizes)


# <a name='3.2'></a>
# ### 3.2 - Initialize the Model's Parameters
# 
# <a name='ex03'></a>
# ### Exercise 3
# 
# Start the weights at small random values, `np.random.randn(a, b) * 0.01`, and the biases at zero,
# `np.zeros((a, b))`.

# In[9]:


# GRADED FUNCTION: initialize_parameters

def initialize_parameters(n_x, n_h, n_y):
    """
    Argument:
    n_x -- size of the input layer
    n_h -- size of the hidden layer
    n_y -- size of the output layer

    Returns:
    params -- python dictionary containing your parameters:
                    W1 -- weight matrix of shape (n_h, n_x)
                    b1 -- bias vector of shape (n_h, 1)
                    W2 -- weight matrix of shape (n_y, n_h)
                    b2 -- bias vector of shape (n_y, 1)
    """

    ### START CODE HERE ### (~ 4 lines of code)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    ### END CODE HERE ###

    assert (W1.shape == (n_h, n_x))
    assert (b1.shape == (n_h, 1))
    assert (W2.shape == (n_y, n_h))
    assert (b2.shape == (n_y, 1))

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}

    return parameters


# In[10]:


parameters = initialize_parameters(n_x, n_h, n_y)

print("W1 = " + str(parameters["W1"]))
print("b1 = " + str(parameters["b1"]))
print("W2 = " + str(parameters["W2"]))
print("b2 = " + str(parameters["b2"]))


# In[11]:


w3_unittest.test_initialize_parameters(initialize_parameters)


# <a name='3.3'></a>
# ### 3.3 - The Loop
# 
# <a name='ex04'></a>
# ### Exercise 4
# 
# Implement `forward_propagation()`:
# 
# $$Z^{[1]} = W^{[1]} X + b^{[1]},\quad A^{[1]} = \sigma\left(Z^{[1]}\right),\quad
# Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]},\quad A^{[2]} = \sigma\left(Z^{[2]}\right).$$
# 
# Keep $Z^{[1]}, A^{[1]}, Z^{[2]}, A^{[2]}$ in the dictionary `cache`: backward propagation needs them.

# In[12]:


# GRADED FUNCTION: forward_propagation

def forward_propagation(X, parameters):
    """
    Argument:
    X -- input data, of shape (n_x, number of examples)
    parameters -- python dictionary containing your parameters (output of initialize_parameters)

    Returns:
    A2 -- the sigmoid output of the second activation, of shape (1, number of examples)
    cache -- python dictionary containing "Z1", "A1", "Z2" and "A2"
    """
    # Retrieve each parameter from the dictionary "parameters".
    ### START CODE HERE ### (~ 4 lines of code)
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    ### END CODE HERE ###

    # Implement forward propagation to calculate A2.
    ### START CODE HERE ### (~ 4 lines of code)
    Z1 = np.matmul(W1, X) + b1
    A1 = sigmoid(Z1)
    Z2 = np.matmul(W2, A1) + b2
    A2 = sigmoid(Z2)
    ### END CODE HERE ###

    assert(A2.shape == (n_y, X.shape[1]))

    cache = {"Z1": Z1,
             "A1": A1,
             "Z2": Z2,
             "A2": A2}

    return A2, cache


# In[13]:


A2, cache = forward_propagation(X, parameters)

print(A2)


# In[14]:


w3_unittest.test_forward_propagation(forward_propagation)


# <a name='ex05'></a>
# ### Exercise 5
# 
# Implement `compute_cost()`, the log loss
# 
# $$\mathcal{L}\left(W, b\right) = \frac{1}{m}\sum_{i=1}^{m} \left(-y^{(i)}\log\left(a^{(i)}\right) -
# (1-y^{(i)})\log\left(1- a^{(i)}\right)\right).$$

# In[15]:


# GRADED FUNCTION: compute_cost

def compute_cost(A2, Y):
    """
    Computes the log loss cost function

    Arguments:
    A2 -- the sigmoid output of the output layer activation, of shape (1, number of examples)
    Y -- "true" labels vector, of shape (1, number of examples)

    Returns:
    cost -- log loss
    """
    # Number of examples.
    m = Y.shape[1]

    ### START CODE HERE ### (~ 2 lines of code)
    logprobs = np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)
    cost = -logprobs[0][0] / m
    ### END CODE HERE ###

    assert(isinstance(cost, float))

    return cost


# In[16]:


print("cost = " + str(compute_cost(A2, Y)))


# In[17]:


w3_unittest.test_compute_cost(compute_cost, A2)


# <a name='ex06'></a>
# ### Exercise 6
# 
# Implement `backward_propagation()`:
# 
# $$dZ^{[2]} = A^{[2]} - Y,\quad dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T},\quad
# db^{[2]} = \frac{1}{m}\sum dZ^{[2]},$$
# $$dZ^{[1]} = W^{[2]T} dZ^{[2]} \cdot A^{[1]}\left(1 - A^{[1]}\right),\quad
# dW^{[1]} = \frac{1}{m} dZ^{[1]} X^T,\quad db^{[1]} = \frac{1}{m}\sum dZ^{[1]}.$$
# 
# The sums run over the examples (the columns), with `keepdims = True`.

# In[18]:


# GRADED FUNCTION: backward_propagation

def backward_propagation(parameters, cache, X, Y):
    """
    Implements the backward propagation, calculating gradients

    Arguments:
    parameters -- python dictionary containing our parameters
    cache -- python dictionary containing Z1, A1, Z2 and A2
    X -- input data of shape (n_x, number of examples)
    Y -- "true" labels vector of shape (1, number of examples)

    Returns:
    grads -- python dictionary containing the gradients with respect to the parameters
    """
    m = X.shape[1]

    # First, retrieve W1 and W2 from the dictionary "parameters".
    W1 = parameters["W1"]
    W2 = parameters["W2"]

    # Retrieve also A1 and A2 from dictionary "cache".
    A1 = cache["A1"]
    A2 = cache["A2"]

    # Backward propagation: calculate partial derivatives denoted as dW1, db1, dW2, db2.
    ### START CODE HERE ### (~ 6 lines of code)
    dZ2 = A2 - Y
    dW2 = 1/m * np.dot(dZ2, A1.T)
    db2 = 1/m * np.sum(dZ2, axis = 1, keepdims = True)
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = 1/m * np.dot(dZ1, X.T)
    db1 = 1/m * np.sum(dZ1, axis = 1, keepdims = True)
    ### END CODE HERE ###

    grads = {"dW1": dW1,
             "db1": db1,
             "dW2": dW2,
             "db2": db2}

    return grads


# In[19]:


grads = backward_propagation(parameters, cache, X, Y)

print("dW1 = " + str(grads["dW1"]))
print("db1 = " + str(grads["db1"]))
print("dW2 = " + str(grads["dW2"]))
print("db2 = " + str(grads["db2"]))


# In[20]:


w3_unittest.test_backward_propagation(backward_propagation)


# Update the parameters with gradient descent, $\theta = \theta - \alpha \frac{\partial \mathcal{L}}{\partial \theta}$.

# In[21]:


def update_parameters(parameters, grads, learning_rate=1.2):
    """
    Updates parameters using the gradient descent update rule

    Arguments:
    parameters -- python dictionary containing parameters
    grads -- python dictionary containing gradients
    learning_rate -- learning rate parameter for gradient descent

    Returns:
    parameters -- python dictionary containing updated parameters
    """
    # Retrieve each parameter from the dictionary "parameters".
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    # Retrieve each gradient from the dictionary "grads".
    dW1 = grads["dW1"]
    db1 = grads["db1"]
    dW2 = grads["dW2"]
    db2 = grads["db2"]

    # Update rule for each parameter.
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}

    return parameters


# In[22]:


parameters_updated = update_parameters(parameters, grads)

print("W1 updated = " + str(parameters_updated["W1"]))
print("b1 updated = " + str(parameters_updated["b1"]))
print("W2 updated = " + str(parameters_updated["W2"]))
print("b2 updated = " + str(parameters_updated["b2"]))


# <a name='3.4'></a>
# ### 3.4 - Integrate parts 3.1, 3.2 and 3.3 in nn_model()
# 
# <a name='ex07'></a>
# ### Exercise 7
# 
# Build the model in `nn_model()`, using the functions above in the right order.

# In[23]:


# GRADED FUNCTION: nn_model

def nn_model(X, Y, n_h, num_iterations=10, learning_rate=1.2, print_cost=False):
    """
    Arguments:
    X -- dataset of shape (n_x, number of examples)
    Y -- labels of shape (1, number of examples)
    n_h -- size of the hidden layer
    num_iterations -- number of iterations in the loop
    learning_rate -- learning rate parameter for gradient descent
    print_cost -- if True, print the cost every 1000 iterations

    Returns:
    parameters -- parameters learnt by the model. They can then be used to predict.
    """

    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]

    # Initialize parameters.
    ### START CODE HERE ### (~ 1 line of code)
    parameters = initialize_parameters(n_x, n_h, n_y)
    ### END CODE HERE ###

    # Loop.
    for i in range(0, num_iterations):

        ### START CODE HERE ### (~ 4 lines of code)
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
        ### END CODE HERE ###

        # Print the cost every 1000 iterations.
        if print_cost and i % 1000 == 0:
            print ("Cost after iteration %i: %f" %(i, cost))

    return parameters


# In[24]:


parameters = nn_model(X, Y, n_h=2, num_iterations=3000, learning_rate=1.2, print_cost=True)
print("W1 = " + str(parameters["W1"]))
print("b1 = " + str(parameters["b1"]))
print("W2 = " + str(parameters["W2"]))
print("b2 = " + str(parameters["b2"]))

W1 = parameters["W1"]
b1 = parameters["b1"]
W2 = parameters["W2"]
b2 = parameters["b2"]


# In[25]:


w3_unittest.test_nn_model(nn_model)


# <a name='ex08'></a>
# ### Exercise 8
# 
# Use the trained network to predict: compute the probabilities with forward propagation, and
# classify with the threshold 0.5.

# In[26]:


# GRADED FUNCTION: predict

def predict(X, parameters):
    """
    Using the learned parameters, predicts a class for each example in X

    Arguments:
    parameters -- python dictionary containing your parameters
    X -- input data of size (n_x, m)

    Returns
    predictions -- vector of predictions of our model (blue: 0 / red: 1)
    """

    ### START CODE HERE ### (~ 2 lines of code)
    A2, cache = forward_propagation(X, parameters)
    predictions = (A2 > 0.5).astype(int)
    ### END CODE HERE ###

    return predictions


# In[27]:


X_pred = np.array([[2, 8, 2, 8], [2, 8, 8, 2]])
Y_pred = predict(X_pred, parameters)

print(f"Coordinates (in the columns):\n{X_pred}")
print(f"Predictions:\n{Y_pred}")


# In[ ]:


w3_unittest.test_predict(predict)


# The decision boundary of the trained network:

# In[ ]:


parameters = nn_model(X, Y, n_h=2, num_iterations=3000, learning_rate=1.2, print_cost=True)
w3_tools.plot_decision_boundary(predict, parameters, X, Y)

# Print accuracy
predictions = predict(X, parameters)
print ('Accuracy: %d' % float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100) + '%')


# <a name='4'></a>
# ## 4 - Optional: Other Dataset
# 
# Try the model on other data: change the centres or the spread of the clouds above, or the number
# of hidden units, and see how the boundary changes.

# Congratulations, you have finished the assignment!
